package baton.agent;

import baton.conversation.ContentType;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns the stored, visible history of a conversation into the chat messages a model gets.
 *
 * <ul>
 *   <li>A root message of the user (a turn's root call) is a user message; a root message of the
 *       assistant (a turn's end) is an assistant message. A turn that ended in an error is left
 *       out: the model never said that sentence.</li>
 *   <li>A tool call (a call with a parent) becomes an assistant message requesting it, followed at
 *       once by its result, so every request is paired with its result in order even when a
 *       harness stored results later. A call without a result (a turn cut short) is left out, as
 *       chat APIs refuse an unanswered tool request.</li>
 *   <li>Stored system messages stay system messages; progress messages are not sent.</li>
 *   <li>A withheld message (content type {@code withheld}) keeps its place and shows the model the
 *       sentence that says what is withheld and why, never anything recorded.</li>
 * </ul>
 */
public final class HistoryConverter {

    private static final ObjectMapper JSON = new ObjectMapper();

    public List<ChatMessage> convert(List<Message> messages) {
        Map<UUID, Message> resultOf = new HashMap<>();
        for (Message m : messages) {
            if (m.type() == MessageType.RESULT && m.parentId() != null) {
                resultOf.putIfAbsent(m.parentId(), m);
            }
        }
        List<ChatMessage> out = new ArrayList<>();
        for (Message m : messages) {
            if (m.type() == MessageType.PROGRESS || m.content().isEmpty() && m.parentId() == null
                    || m.role() == MessageRole.SYSTEM && m.content().isBlank()) { // SystemMessage refuses blank text
                continue;
            }
            if (m.role() == MessageRole.SYSTEM) {
                out.add(SystemMessage.from(text(m)));
            } else if (m.parentId() == null) {
                root(m, out);
            } else if (m.type() == MessageType.CALL) {
                Message result = resultOf.get(m.id());
                if (result != null) {
                    String id = m.id().toString();
                    out.add(AiMessage.from(ToolExecutionRequest.builder()
                            .id(id).name(m.tool()).arguments(m.content()).build()));
                    out.add(ToolExecutionResultMessage.from(id, m.tool(), text(result)));
                }
            }
            // a result with a parent was sent right after its call
        }
        return out;
    }

    /**
     * What the model reads of a message: its content, or for a withheld one (a result its reader
     * may not see, or an answer derived from it) the sentence that says what is withheld and why.
     */
    static String text(Message m) {
        if (m.contentType() != ContentType.WITHHELD) {
            return m.content();
        }
        String sentence = null;
        try {
            sentence = JSON.readTree(m.content()).path("sentence").asText(null);
        } catch (IOException e) {
            // Baton wrote it; should it not be JSON, the model gets the plain marker below
        }
        return "[withheld by Baton] " + (sentence == null ? "This content is withheld from you." : sentence);
    }

    private static void root(Message m, List<ChatMessage> out) {
        switch (m.role()) {
            case USER -> out.add(UserMessage.from(m.content()));
            case ASSISTANT -> {
                if (m.contentType() != ContentType.ERROR) {
                    out.add(AiMessage.from(text(m)));
                }
            }
            default -> {
                // a root tool message answers nothing the model asked: not sent
            }
        }
    }
}
