package baton.conversation;

import baton.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delete, rename, lineage and activity of conversations. Reached only through {@link Conversations}
 * (the single access entry point), with the rules of {@link Access}.
 */
final class Governance {

    private static final Logger log = LoggerFactory.getLogger(Governance.class);

    static final int DEFAULT_ACTIVITY_LIMIT = 50;
    static final int MAX_ACTIVITY_LIMIT = 200;
    /** The most forks one lineage lists (the oldest first). */
    static final int MAX_FORKS = 1000;
    /** A chain of forks longer than this is cut (it cannot loop, but a bound costs nothing). */
    private static final int MAX_ANCESTORS = 1000;
    /**
     * A turn opened less than this long ago is running: deleting its conversation is refused. An
     * older open turn was left by a process that is gone (the agent's turn timeout is 10 minutes)
     * and does not stand in the way.
     */
    static final Duration RUNNING_TURN = Duration.ofMinutes(11);

    private final Database db;
    private final Access access;
    private final ConversationStore store;
    private final MessageStore messageStore;
    private final ActivityStore activity;
    private final GovernanceStore governance = new GovernanceStore();

    Governance(Database db, Access access, ConversationStore store, MessageStore messageStore, ActivityStore activity) {
        this.db = db;
        this.access = access;
        this.store = store;
        this.messageStore = messageStore;
        this.activity = activity;
    }

    int delete(Identity caller, UUID id) {
        Access.requireWriter(caller, "delete conversations");
        int messages = db.write("deleting conversation " + id, c -> {
            // FOR UPDATE: a fork of it (FOR SHARE) is either done before, and whole, or finds it gone
            Conversation conversation = access.existing(c, caller, id, ConversationStore.Lock.UPDATE);
            Access.requireOwnerOrAdmin(caller, conversation, "delete");
            Instant now = access.now();
            Optional<Message> latest = messageStore.latestTurnRoot(c, id);
            if (latest.isPresent() && latest.get().type() == MessageType.CALL
                    && latest.get().createdAt().isAfter(now.minus(RUNNING_TURN))) {
                throw new BatonException(ErrorCode.TURN_IN_PROGRESS, "Conversation " + id
                        + " has a turn in progress (started " + latest.get().createdAt()
                        + "); delete it once the turn has ended (send_message ends its own turns and can be"
                        + " cancelled; a turn appended with append_messages ends with its root result of router_agent),"
                        + " or after " + RUNNING_TURN.toMinutes() + " minutes, when an unfinished turn counts as abandoned.");
            }
            governance.insertTombstone(c, conversation, caller.userId(), now);
            governance.deleteConversation(c, id);
            activity.scrubTitles(c, id);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("owner_id", conversation.ownerId());
            details.put("deleted_messages", conversation.messageCount());
            details.put("was_shared", conversation.isShared());
            activity.record(c, conversation.projectId(), id, caller.userId(), ActivityEvent.DELETE, details, now);
            return conversation.messageCount();
        });
        log.info("[{} {}] deleted conversation {} ({} messages)", caller.projectId(), caller.userId(), id, messages);
        return messages;
    }

    Conversation rename(Identity caller, UUID id, String title) {
        Access.requireWriter(caller, "rename conversations");
        if (title == null || title.isBlank()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "title must not be blank.");
        }
        String clean = title.strip();
        if (clean.length() > Conversations.MAX_TITLE_LENGTH) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "title must be at most "
                    + Conversations.MAX_TITLE_LENGTH + " characters, not " + clean.length() + ".");
        }
        Access.requireStorable("title", clean);
        Conversation renamed = db.write("renaming conversation " + id, c -> {
            Conversation conversation = access.existing(c, caller, id, ConversationStore.Lock.UPDATE);
            Access.requireOwnerOrAdmin(caller, conversation, "rename");
            Instant now = access.now();
            governance.rename(c, id, clean, now);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("old_title", conversation.title());
            details.put("new_title", clean);
            activity.record(c, conversation.projectId(), id, caller.userId(), ActivityEvent.RENAME, details, now);
            return store.conversation(c, id, ConversationStore.Lock.NONE).orElseThrow();
        });
        log.info("[{} {}] renamed conversation {}", caller.projectId(), caller.userId(), id);
        return renamed;
    }

    Lineage lineage(Identity caller, UUID id) {
        return db.read("reading the lineage of conversation " + id, c -> {
            Conversation conversation = access.visible(c, caller, id); // refused as a read would be
            List<Lineage.Ancestor> ancestors = ancestors(c, caller, conversation.forkedFrom());
            boolean all = conversation.isOwnedBy(caller) || caller.isAdmin();
            List<Lineage.Fork> forks = governance.forks(c, id, all, caller.userId(), MAX_FORKS);
            return new Lineage(ancestors, forks);
        });
    }

    /**
     * The chain up from {@code from}. The link to an ancestor (its id, owner and the message forked
     * at) is metadata of the conversation below it; the walk goes on past an ancestor only while the
     * caller may see that ancestor (read it, own it, or as an admin), so nobody learns the lineage of
     * a conversation hidden from them. A deleted ancestor is seen by its former owner and admins.
     */
    private List<Lineage.Ancestor> ancestors(Connection c, Identity caller, ForkedFrom from) throws SQLException {
        List<Lineage.Ancestor> out = new ArrayList<>();
        Set<UUID> seen = new HashSet<>();
        while (from != null && out.size() < MAX_ANCESTORS && seen.add(from.conversationId())) {
            Optional<Conversation> row = store.conversation(c, from.conversationId(), ConversationStore.Lock.NONE)
                    .filter(found -> found.projectId().equals(caller.projectId()));
            ForkedFrom next = null;
            if (row.isPresent()) {
                boolean visible = access.mayRead(c, caller, from.conversationId());
                out.add(new Lineage.Ancestor(from.conversationId(), from.ownerId(),
                        visible ? row.get().title() : null, false, from.messageId(), from.messageIndex()));
                next = visible ? row.get().forkedFrom() : null;
            } else {
                Optional<GovernanceStore.Tombstone> gone = governance.tombstone(c, from.conversationId())
                        .filter(t -> t.projectId().equals(caller.projectId()));
                out.add(new Lineage.Ancestor(from.conversationId(), from.ownerId(), null, true, from.messageId(),
                        from.messageIndex()));
                if (gone.isPresent() && (caller.isAdmin() || gone.get().ownerId().equals(caller.userId()))) {
                    next = gone.get().forkedFrom();
                }
            }
            from = next;
        }
        return out;
    }

    ActivityPage activity(Identity caller, UUID id, Integer limit, String cursor) {
        int pageSize = limit == null ? DEFAULT_ACTIVITY_LIMIT : limit;
        if (pageSize < 1 || pageSize > MAX_ACTIVITY_LIMIT) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "limit must be between 1 and " + MAX_ACTIVITY_LIMIT + ", not " + pageSize + ".");
        }
        Cursor after = Cursor.decode(cursor);
        return db.read("listing the activity of conversation " + id, c -> {
            Conversation conversation = access.existing(c, caller, id, ConversationStore.Lock.NONE);
            Access.requireOwnerOrAdmin(caller, conversation, "list the activity of");
            List<ActivityEvent> rows = activity.page(c, id, after.at(), after.id(), pageSize + 1);
            String next = null;
            if (rows.size() > pageSize) {
                rows = rows.subList(0, pageSize);
                ActivityEvent last = rows.get(pageSize - 1);
                next = new Cursor(last.at(), last.id()).encode();
            }
            return new ActivityPage(rows, next);
        });
    }

    long export(String projectId, Instant since, Consumer<ActivityEvent> sink) {
        return db.read("exporting the activity of project " + projectId,
                c -> activity.export(c, projectId, since, sink));
    }

    /** Position in an activity listing: time and id of the last event of the previous page. */
    private record Cursor(Instant at, long id) {
        private static final Cursor START = new Cursor(PageCursor.END, Long.MAX_VALUE);

        String encode() {
            return PageCursor.encode("a", at, Long.toString(id));
        }

        static Cursor decode(String cursor) {
            Cursor c = PageCursor.decode(cursor, "a", "conversation_activity", (at, tail) -> new Cursor(at, Long.parseLong(tail)));
            return c == null ? START : c;
        }
    }
}
