package baton.conversation;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The access rules of Baton, in one place: who may know of a conversation, what part of it a
 * caller sees, who may change it, and what the share's tool-results policy withholds. Every
 * collaborator of {@link Conversations} (reading, sharing, forking, appending, governance) asks
 * here; none decides access on its own. Reached only through {@link Conversations}.
 */
final class Access {

    private final Clock clock;
    private final ConversationStore store;
    private final MessageStore messageStore;
    private final Entitlements entitlements;
    private final ToolResultsPolicy defaultPolicy;

    Access(Clock clock, ConversationStore store, MessageStore messageStore, Entitlements entitlements,
            ToolResultsPolicy defaultPolicy) {
        this.clock = clock;
        this.store = store;
        this.messageStore = messageStore;
        this.entitlements = entitlements;
        this.defaultPolicy = defaultPolicy;
    }

    /** What the caller sees of a conversation and the greatest index it may see. */
    record Seen(Conversation conversation, int lastVisible) {
    }

    /** The tool-results policy of a share that names none. */
    ToolResultsPolicy defaultPolicy() {
        return defaultPolicy;
    }

    Instant now() {
        // PostgreSQL keeps microseconds; truncating here keeps list cursors exact.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * The conversation as the caller sees it, and the greatest index it may see: everything for
     * the owner and for admins of the project; for other members, the share boundary (the SQL of
     * the row computed it, following the owner's turn ends for a live share) while the share is
     * for them and has not expired at the caller's instant (also decided by that SQL); otherwise
     * access is denied, with the same answer whichever rule refused. Every read, list and fork
     * asks this before it loads a message. A non-owner's conversation describes the shared part
     * only: its updated_at is the time of the boundary, its count the boundary's, and the
     * audience is left out.
     */
    static Seen seen(Identity caller, ConversationStore.Row row) {
        Conversation stored = row.stored();
        if (!stored.projectId().equals(caller.projectId())) {
            throw notFound(stored.id());
        }
        Conversation atBoundary = row.boundaryId() == null ? stored
                : stored.seenAt(stored.updatedAt(), row.boundaryId(), row.boundaryIndex(), stored.messageCount(),
                        stored.share());
        if (privileged(caller, stored)) {
            return new Seen(atBoundary, stored.messageCount() - 1);
        }
        if (!row.readerMaySee() || row.boundaryId() == null) {
            throw denied(stored.id());
        }
        int last = row.boundaryIndex();
        Conversation shared = stored.seenAt(row.boundaryAt(), row.boundaryId(), last, last + 1,
                stored.share().withoutAudience());
        return new Seen(shared, last);
    }

    /** Whether {@link #seen} lets the caller see the row (a listing skips the others). */
    static boolean mayKnow(Identity caller, ConversationStore.Row row) {
        return privileged(caller, row.stored()) || row.readerMaySee() && row.boundaryId() != null;
    }

    static boolean privileged(Identity caller, Conversation conversation) {
        return conversation.isOwnedBy(caller) || caller.isAdmin();
    }

    /** Whether the caller reads under the share's tool-results policy: neither owner nor admin. */
    static boolean seesOnlyWhatPolicyAllows(Identity caller, Conversation conversation) {
        return !conversation.isOwnedBy(caller) && !caller.isAdmin();
    }

    ToolResultsPolicy policyOf(Conversation conversation) {
        return conversation.sharedToolResults() == null ? defaultPolicy : conversation.sharedToolResults();
    }

    /**
     * What to withhold from the reader of {@code skeleton} under {@code policy}. Checks the calls
     * only when the policy is {@code checked}, or when {@code verdicts} is given (then it receives
     * every verdict, for the fork's lost access).
     */
    Withholding withholding(Identity caller, List<Message> skeleton, ToolResultsPolicy policy,
            Map<RecordedCall, Entitlement> verdicts) {
        return withholding(caller, skeleton, policy, verdicts, Map.of());
    }

    /**
     * As above, with the verdicts {@link #known} found in the read's own transaction: only the
     * other calls are checked.
     */
    Withholding withholding(Identity caller, List<Message> skeleton, ToolResultsPolicy policy,
            Map<RecordedCall, Entitlement> verdicts, Map<RecordedCall, Entitlement> known) {
        Map<RecordedCall, Entitlement> checked = Map.of();
        if (policy == ToolResultsPolicy.CHECKED || verdicts != null) {
            Set<RecordedCall> calls = Withholding.calls(skeleton);
            Set<RecordedCall> unknown = new LinkedHashSet<>(calls);
            unknown.removeAll(known.keySet());
            if (unknown.isEmpty()) {
                checked = known;
            } else {
                checked = new HashMap<>(known);
                checked.putAll(entitlements.check(caller, unknown));
            }
            if (verdicts != null) {
                verdicts.putAll(checked);
            }
        }
        return Withholding.decide(skeleton, policy, checked);
    }

    /**
     * The verdicts already kept for the calls of {@code skeleton} when {@code policy} checks them
     * or {@code always} (a fork's lost access), looked up in the caller's transaction (none
     * otherwise).
     */
    Map<RecordedCall, Entitlement> known(Connection c, Identity caller, List<Message> skeleton,
            ToolResultsPolicy policy, boolean always) throws SQLException {
        if (policy != ToolResultsPolicy.CHECKED && !always) {
            return Map.of();
        }
        Set<RecordedCall> calls = Withholding.calls(skeleton);
        return calls.isEmpty() ? Map.of() : entitlements.known(c, caller, calls);
    }

    /**
     * The conversation, as far as the caller may know of it: one of another project is answered
     * exactly like an id that does not exist, so no answer tells what another project holds.
     * Every access to a conversation starts here.
     */
    ConversationStore.Row existing(Connection c, Identity caller, UUID id, ConversationStore.Lock lock,
            Instant now) throws SQLException {
        return store.row(c, id, lock, caller.userId(), now)
                .filter(found -> found.stored().projectId().equals(caller.projectId()))
                .orElseThrow(() -> notFound(id));
    }

    /** {@link #existing} as stored, for the owner-or-admin operations. */
    Conversation existing(Connection c, Identity caller, UUID id, ConversationStore.Lock lock) throws SQLException {
        return existing(c, caller, id, lock, now()).stored();
    }

    /**
     * The conversation as the caller sees it (audience, expiry and boundary decided by the row's
     * SQL, as for a read), or the refusal a read would get. For {@link Governance}.
     */
    Conversation visible(Connection c, Identity caller, UUID id) throws SQLException {
        return seen(caller, existing(c, caller, id, ConversationStore.Lock.NONE, now())).conversation();
    }

    /** Whether the caller may read the conversation now (no answer tells why not). */
    boolean mayRead(Connection c, Identity caller, UUID id) throws SQLException {
        return store.row(c, id, ConversationStore.Lock.NONE, caller.userId(), now())
                .filter(found -> found.stored().projectId().equals(caller.projectId()))
                .map(row -> mayKnow(caller, row)).orElse(false);
    }

    /** {@code id} as a turn end of the conversation at or below {@code lastVisible}. */
    Message turnEnd(Connection c, UUID conversationId, UUID id, int lastVisible) throws SQLException {
        Message m = messageStore.message(c, conversationId, id).filter(found -> found.index() <= lastVisible).orElseThrow(() -> new BatonException(ErrorCode.NOT_FOUND,
                        "Message " + id + " was not found in conversation " + conversationId + "."));
        if (!m.isTurnEnd()) {
            throw new BatonException(ErrorCode.NOT_A_TURN_END, "Message " + id + " is not a turn end of conversation "
                    + conversationId + "; only the root result of router_agent that ends a turn can be a boundary.");
        }
        return m;
    }

    static BatonException notFound(UUID id) {
        return new BatonException(ErrorCode.NOT_FOUND, "Conversation " + id + " was not found.");
    }

    static BatonException denied(UUID id) {
        return new BatonException(ErrorCode.ACCESS_DENIED, "Access denied to conversation " + id
                + ": it is not shared with you.");
    }

    static void requireOwnerOrAdmin(Identity caller, Conversation conversation, String action) {
        if (!conversation.projectId().equals(caller.projectId())) {
            throw notFound(conversation.id());
        }
        if (!conversation.isOwnedBy(caller) && !caller.isAdmin()) {
            throw new BatonException(ErrorCode.ACCESS_DENIED, "Access denied: only the owner of conversation "
                    + conversation.id() + " or a project admin may " + action + " it.");
        }
    }

    static void requireWriter(Identity caller, String action) {
        if (!caller.role().canWrite()) {
            throw new BatonException(ErrorCode.ROLE_NOT_ALLOWED, "User " + caller.userId()
                    + " has the viewer role in project " + caller.projectId() + " and may not " + action + ".");
        }
    }

    /** Text Baton would not keep as given is refused, naming {@code field}. */
    static void requireStorable(String field, String text) {
        String problem = StorableText.problem(text);
        if (problem != null) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " " + problem + ".");
        }
    }
}
