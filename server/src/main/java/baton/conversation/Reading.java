package baton.conversation;

import baton.db.Database;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Reading for a caller: one snapshot cut at the caller's boundary, with what the share's policy
 * holds back withheld, each read by a non-owner recorded (folded); and the listings and
 * completions of what a caller may know of. Reached only through {@link Conversations}, with the
 * rules of {@link Access}.
 */
final class Reading {

    private final Database db;
    private final Access access;
    private final ConversationStore store;
    private final MessageStore messageStore;
    private final ActivityStore activity;
    private final ReadFolds folds;

    Reading(Database db, Access access, ConversationStore store, MessageStore messageStore, ActivityStore activity,
            ReadFolds folds) {
        this.db = db;
        this.access = access;
        this.store = store;
        this.messageStore = messageStore;
        this.activity = activity;
        this.folds = folds;
    }

    /**
     * The single entry point for every read of a conversation for a caller (tools, prompts,
     * resources, the agent). Metadata and messages come from one snapshot, and messages past the
     * caller's boundary are never loaded: the query itself stops at the boundary. For a reader who
     * is neither owner nor admin, the tool results the share's policy holds back (and what was
     * derived from them) are replaced by withheld messages before the view leaves this class; the
     * verdicts kept from earlier checks are looked up in the snapshot's transaction, and the checks
     * of the other calls run after it, so no connection waits on an upstream.
     */
    ConversationView view(Identity caller, UUID conversationId, int afterIndex, int limit) {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        record Snapshot(ConversationView view, List<Message> skeleton, Map<RecordedCall, Entitlement> known) {
        }
        Instant now = access.now();
        Snapshot snapshot = db.read("reading conversation " + conversationId, c -> {
            Access.Seen seen = Access.seen(caller,
                    access.existing(c, caller, conversationId, ConversationStore.Lock.NONE, now));
            Conversation conversation = seen.conversation();
            int lastVisible = seen.lastVisible();
            List<Message> page = limit == 0 || afterIndex >= lastVisible ? List.of()
                    : messageStore.messages(c, conversationId, afterIndex, lastVisible, limit);
            Integer next = null;
            if (!page.isEmpty()) {
                int last = page.get(page.size() - 1).index();
                next = last < lastVisible ? last : null;
            }
            ConversationView view = new ConversationView(conversation, conversation.isOwnedBy(caller), page, next);
            boolean withholds = !page.isEmpty() && Access.seesOnlyWhatPolicyAllows(caller, conversation);
            if (!withholds) {
                return new Snapshot(view, null, Map.of());
            }
            // only the whole turns around the page decide what it withholds, so a page costs the
            // same whatever the size of the conversation
            int first = page.get(0).index();
            int last = page.get(page.size() - 1).index();
            int[] range = messageStore.turnsAround(c, conversationId, first, last, lastVisible);
            // the page holds its turns whole (a whole conversation, say): it is its own skeleton
            List<Message> skeleton = range[0] >= first && range[1] <= last ? page
                    : messageStore.skeleton(c, conversationId, range[0], range[1]);
            // verdicts kept from earlier checks, in this same transaction: a read again within the
            // TTL needs no transaction of its own for them
            return new Snapshot(view, skeleton, access.known(c, caller, skeleton, access.policyOf(conversation), false));
        });
        ConversationView view = snapshot.view();
        if (!view.isOwner()) {
            // after the read and before its answer: a read whose record fails is not answered
            recordRead(caller, view.conversation());
        }
        if (snapshot.skeleton() == null) {
            return view;
        }
        Withholding withheld = access.withholding(caller, snapshot.skeleton(), access.policyOf(view.conversation()),
                null, snapshot.known());
        return new ConversationView(view.conversation(), view.isOwner(), withheld.apply(view.messages()),
                view.nextAfterIndex());
    }

    /**
     * Records a read by someone other than the owner (members and admins), folded with the same
     * reader's reads at the same boundary in the same 10 minutes. Every route reaches it: tools,
     * resources, prompts and the agent read through {@link #view}.
     */
    private void recordRead(Identity caller, Conversation conversation) {
        int boundary = Access.privileged(caller, conversation) ? conversation.messageCount() - 1
                : conversation.sharedUntilIndex();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("boundary_index", boundary);
        details.put("boundary_message_id", conversation.isOwnedBy(caller) || caller.isAdmin()
                || conversation.sharedUntilMessageId() == null ? null : conversation.sharedUntilMessageId().toString());
        Instant at = access.now();
        ReadFolds.Key key = new ReadFolds.Key(conversation.id(), caller.userId(), boundary,
                Math.floorDiv(at.getEpochSecond(), ActivityStore.FOLD_SECONDS));
        if (folds.fold(key, at)) {
            return; // its event is stored; this process adds the count within a second
        }
        db.write("recording a read of conversation " + conversation.id(), c -> {
            activity.recordRead(c, conversation.projectId(), conversation.id(), caller.userId(), boundary, details, at);
            return null;
        });
        folds.written(key);
    }

    ConversationPage list(Identity caller, ListScope scope, Integer limit, String cursor) {
        int pageSize = limit == null ? Conversations.DEFAULT_LIST_LIMIT : limit;
        if (pageSize < 1 || pageSize > Conversations.MAX_LIST_LIMIT) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "limit must be between 1 and " + Conversations.MAX_LIST_LIMIT + ", not " + pageSize + ".");
        }
        Cursor after = Cursor.decode(cursor);
        ListScope which = scope == null ? ListScope.MINE : scope;
        Instant now = access.now();
        return db.read("listing conversations", c -> {
            List<Conversation> rows = store.list(c, which == ListScope.SHARED, caller.projectId(), caller.userId(),
                    now, after.createdAt(), after.id(), pageSize + 1).stream()
                    .filter(row -> Access.mayKnow(caller, row)).map(row -> Access.seen(caller, row).conversation())
                    .toList();
            String next = null;
            if (rows.size() > pageSize) {
                rows = rows.subList(0, pageSize);
                Conversation last = rows.get(pageSize - 1);
                next = new Cursor(last.createdAt(), last.id()).encode();
            }
            return new ConversationPage(rows, next);
        });
    }

    List<Conversation> completions(Identity caller, String prefix, int limit) {
        String typed = prefix == null ? "" : prefix;
        int size = Math.max(1, Math.min(limit, Conversations.MAX_COMPLETIONS + 1));
        Instant now = access.now();
        return db.read("completing conversation ids", c -> store.startingWith(c, caller.projectId(),
                caller.userId(), caller.isAdmin(), now, typed, size).stream()
                .filter(row -> Access.mayKnow(caller, row)).map(row -> Access.seen(caller, row).conversation())
                .toList());
    }

    /** Position in a listing: created_at and id of the last conversation of the previous page. */
    private record Cursor(Instant createdAt, UUID id) {
        private static final Cursor START = new Cursor(PageCursor.END, new UUID(-1L, -1L));

        String encode() {
            return PageCursor.encode("", createdAt, id.toString());
        }

        static Cursor decode(String cursor) {
            Cursor c = PageCursor.decode(cursor, "", "list_conversations", (at, tail) -> new Cursor(at, UUID.fromString(tail)));
            return c == null ? START : c;
        }
    }
}
