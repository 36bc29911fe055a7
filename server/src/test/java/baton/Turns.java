package baton;

import baton.conversation.ContentType;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import java.util.List;
import java.util.UUID;

/** Builds complete turns: root call of router_agent, a tool call and its result, root result. */
public final class Turns {

    public static final int MESSAGES_PER_TURN = 4;

    private Turns() {
    }

    /** A complete turn; the last message is its turn end. */
    public static List<NewMessage> turn(String question) {
        UUID root = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        return List.of(
                new NewMessage(root, MessageRole.USER, MessageType.CALL, "router_agent", null, ContentType.TEXT, question),
                new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, "query", root, ContentType.JSON,
                        "{\"dataset\":\"sales\"}"),
                new NewMessage(UUID.randomUUID(), MessageRole.TOOL, MessageType.RESULT, "query", call, ContentType.JSON,
                        "{\"rows\":3}"),
                new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT, "router_agent", null,
                        ContentType.TEXT, "answer to " + question));
    }

    /** A turn that has started but not ended: its root call and a tool call. */
    public static List<NewMessage> openTurn(String question) {
        return turn(question).subList(0, 2);
    }

    public static String project() {
        return "p-" + UUID.randomUUID();
    }
}
