package baton.agent;

import baton.conversation.ContentType;
import baton.conversation.Conversation;
import baton.conversation.ForkedFrom;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The stored messages of one conversation, built in order: each message gets the next index, as
 * the store gives them.
 */
final class StoredHistory {

    private static final Instant START = Instant.parse("2026-03-01T09:00:00Z");

    private final UUID conversationId = UUID.randomUUID();
    private final List<Message> messages = new ArrayList<>();

    Message add(MessageRole role, MessageType type, String tool, Message parent, ContentType contentType,
            String content) {
        int index = messages.size();
        Message m = new Message(UUID.randomUUID(), conversationId, parent == null ? null : parent.id(), index, role,
                type, tool, contentType, content, START.plusSeconds(index));
        messages.add(m);
        return m;
    }

    /** The root call of a turn: what the user asked. */
    Message userTurn(String content) {
        return add(MessageRole.USER, MessageType.CALL, Message.ROUTER_AGENT, null, ContentType.TEXT, content);
    }

    /** The root result of a turn: the assistant's answer. */
    Message turnEnd(String content) {
        return add(MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null, ContentType.TEXT, content);
    }

    /** The root result of a turn that failed. */
    Message failedTurnEnd(String sentence) {
        return add(MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null, ContentType.ERROR, sentence);
    }

    Message call(Message turn, String tool, String argumentsJson) {
        return add(MessageRole.ASSISTANT, MessageType.CALL, tool, turn, ContentType.JSON, argumentsJson);
    }

    Message result(Message call, String content) {
        return add(MessageRole.TOOL, MessageType.RESULT, call.tool(), call, ContentType.TEXT, content);
    }

    Message errorResult(Message call, String content) {
        return add(MessageRole.TOOL, MessageType.RESULT, call.tool(), call, ContentType.ERROR, content);
    }

    Message progress(Message turn, String content) {
        return add(MessageRole.ASSISTANT, MessageType.PROGRESS, Message.ROUTER_AGENT, turn, ContentType.TEXT,
                content);
    }

    Message system(String content) {
        return add(MessageRole.SYSTEM, MessageType.RESULT, "", null, ContentType.TEXT, content);
    }

    List<Message> messages() {
        return List.copyOf(messages);
    }

    /** This history as bob's fork of alice's conversation, copied up to and including {@code lastCopied}. */
    Conversation forkedAt(Message lastCopied) {
        ForkedFrom from = new ForkedFrom(UUID.randomUUID(), lastCopied.id(), lastCopied.index(), "alice");
        return conversation(from, "alice");
    }

    /** This history as a conversation bob started himself. */
    Conversation notAFork() {
        return conversation(null, null);
    }

    private Conversation conversation(ForkedFrom from, String earlierOwner) {
        return new Conversation(conversationId, "default", "bob", "Quarterly numbers", START, START, null, null, from,
                earlierOwner, messages.size());
    }
}
