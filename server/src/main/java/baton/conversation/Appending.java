package baton.conversation;

import baton.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writing a conversation's history: creating a conversation, appending batches (checked before
 * the database is touched, idempotent per message id) and opening agent turns, one at a time per
 * conversation. Reached only through {@link Conversations}, with the rules of {@link Access}.
 */
final class Appending {

    /** Logged under the entry point's name, as before the split (log settings name it). */
    private static final Logger log = LoggerFactory.getLogger(Conversations.class);

    private final Database db;
    private final Access access;
    private final ConversationStore store;
    private final MessageStore messageStore;

    Appending(Database db, Access access, ConversationStore store, MessageStore messageStore) {
        this.db = db;
        this.access = access;
        this.store = store;
        this.messageStore = messageStore;
    }

    /** See {@link Conversations#create}. */
    Conversation create(Identity caller, String title) {
        Access.requireWriter(caller, "create conversations");
        String cleanTitle = title == null || title.isBlank() ? Conversations.DEFAULT_TITLE : title.strip();
        if (cleanTitle.length() > Conversations.MAX_TITLE_LENGTH) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "title must be at most " + Conversations.MAX_TITLE_LENGTH + " characters, not " + cleanTitle.length() + ".");
        }
        Access.requireStorable("title", cleanTitle);
        Instant now = access.now();
        Conversation conversation = new Conversation(UUID.randomUUID(), caller.projectId(), caller.userId(),
                cleanTitle, now, now, null, null, null, null, 0);
        db.write("creating a conversation", c -> {
            store.insertConversation(c, conversation);
            return null;
        });
        log.info("[{} {}] created conversation {}", caller.projectId(), caller.userId(), conversation.id());
        return conversation;
    }

    List<UUID> append(Identity caller, UUID conversationId, List<NewMessage> messages) {
        Access.requireWriter(caller, "append messages");
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        checkBatch(messages);
        List<UUID> ids = db.write("appending to conversation " + conversationId, c -> {
            Conversation conversation = access.existing(c, caller, conversationId, ConversationStore.Lock.UPDATE);
            Access.requireOwnerOrAdmin(caller, conversation, "append to");
            return appendLocked(c, conversation, messages);
        });
        log.info("[{} {}] appended {} messages to {}", caller.projectId(), caller.userId(), ids.size(), conversationId);
        return ids;
    }

    UUID beginTurn(Identity caller, UUID conversationId, String content, Duration staleAfter) {
        Access.requireWriter(caller, "send messages");
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        NewMessage rootCall = new NewMessage(UUID.randomUUID(), MessageRole.USER, MessageType.CALL,
                Message.ROUTER_AGENT, null, ContentType.TEXT, content);
        checkBatch(List.of(rootCall));
        db.write("opening a turn in conversation " + conversationId, c -> {
            Conversation conversation = access.existing(c, caller, conversationId, ConversationStore.Lock.UPDATE);
            Access.requireOwnerOrAdmin(caller, conversation, "send messages to");
            List<NewMessage> batch = new ArrayList<>(2);
            Optional<Message> latest = messageStore.latestTurnRoot(c, conversationId);
            if (latest.isPresent() && latest.get().type() == MessageType.CALL) {
                Message open = latest.get();
                if (open.createdAt().isAfter(access.now().minus(staleAfter))) {
                    throw new BatonException(ErrorCode.TURN_IN_PROGRESS, "Conversation " + conversationId
                            + " already has a turn in progress (started " + open.createdAt()
                            + "); wait for it to end before sending another message.");
                }
                log.warn("[{} {}] closing turn {} of {}, abandoned since {}", caller.projectId(), caller.userId(),
                        open.id(), conversationId, open.createdAt());
                batch.add(new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT,
                        Message.ROUTER_AGENT, null, ContentType.ERROR, Conversations.INTERRUPTED_TURN));
            }
            batch.add(rootCall);
            return appendLocked(c, conversation, batch);
        });
        log.info("[{} {}] opened turn {} in {}", caller.projectId(), caller.userId(), rootCall.id(), conversationId);
        return rootCall.id();
    }

    private List<UUID> appendLocked(Connection c, Conversation conversation, List<NewMessage> batch)
            throws SQLException {
        UUID conversationId = conversation.id();
        // one query finds both ids that may already exist (a retry) and parents stored earlier
        Set<UUID> lookUp = new HashSet<>();
        for (NewMessage m : batch) {
            if (m.id() != null) {
                lookUp.add(m.id());
            }
            if (m.parentId() != null) {
                lookUp.add(m.parentId());
            }
        }
        Map<UUID, Message> stored = messageStore.messagesByIds(c, conversationId, lookUp);

        Instant now = access.now();
        int nextIndex = conversation.messageCount();
        List<UUID> ids = new ArrayList<>(batch.size());
        List<Message> toInsert = new ArrayList<>();
        Set<UUID> earlierInBatch = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            NewMessage m = batch.get(i);
            String at = "messages[" + i + "]";
            Message existing = m.id() == null ? null : stored.get(m.id());
            if (existing != null) {
                // only this conversation's messages are looked up: an id used elsewhere, in any
                // project, is free here, so no answer tells what another conversation holds
                if (!m.sameAs(existing)) {
                    throw new BatonException(ErrorCode.ID_REUSED, at + ".id " + m.id()
                            + " is already used by another message of this conversation; use a new id or resend"
                            + " the same message.");
                }
                ids.add(existing.id());
                earlierInBatch.add(existing.id());
                continue;
            }
            if (m.parentId() != null && !earlierInBatch.contains(m.parentId())) {
                Message parent = stored.get(m.parentId());
                if (parent == null) {
                    throw new BatonException(ErrorCode.BAD_PARENT, at + ".parent_id " + m.parentId()
                            + " is not a message of conversation " + conversationId
                            + " (a parent must exist already or come earlier in the same batch).");
                }
            }
            UUID id = m.id() != null ? m.id() : UUID.randomUUID();
            toInsert.add(new Message(id, conversationId, m.parentId(), nextIndex++, m.role(), m.type(), m.tool(),
                    m.contentType(), m.content(), now));
            ids.add(id);
            earlierInBatch.add(id);
        }
        if (!toInsert.isEmpty()) {
            messageStore.insertMessages(c, toInsert);
            store.updateAfterAppend(c, conversationId, nextIndex, now);
        }
        return ids;
    }

    /** Checks a batch before touching the database, so a bad batch costs nothing. */
    private static void checkBatch(List<NewMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "messages must hold at least one message.");
        }
        if (messages.size() > Conversations.MAX_APPEND_MESSAGES) {
            throw new BatonException(ErrorCode.TOO_LARGE, "messages holds " + messages.size()
                    + " messages; one append takes at most " + Conversations.MAX_APPEND_MESSAGES + ".");
        }
        Map<UUID, Integer> seen = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            NewMessage m = messages.get(i);
            String at = "messages[" + i + "]";
            long bytes = m.contentBytes();
            if (bytes > NewMessage.MAX_CONTENT_BYTES) {
                throw new BatonException(ErrorCode.TOO_LARGE, at + ".content is " + bytes
                        + " bytes; a message holds at most " + NewMessage.MAX_CONTENT_BYTES + " bytes (1 MiB).");
            }
            Access.requireStorable(at + ".content", m.content());
            Access.requireStorable(at + ".tool", m.tool());
            if (m.contentType() == ContentType.WITHHELD) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, at + ".content_type withheld is given by Baton"
                        + " to messages it holds back from a reader; append text, json or error.");
            }
            if (m.contentType() == ContentType.JSON) {
                String problem = NewMessage.jsonProblem(m.content());
                if (problem != null) {
                    throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                            at + ".content " + problem + " although its content_type is json.");
                }
            }
            if (m.id() != null) {
                Integer first = seen.putIfAbsent(m.id(), i);
                if (first != null) {
                    throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                            at + ".id " + m.id() + " repeats the id of messages[" + first + "].");
                }
            }
            if (m.parentId() != null && m.parentId().equals(m.id())) {
                throw new BatonException(ErrorCode.BAD_PARENT, at + ".parent_id " + m.parentId()
                        + " names the message itself.");
            }
        }
    }
}
