package baton.conversation;

import baton.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forking what a caller may see into a new conversation of theirs: the plan outside any
 * transaction (withheld messages, lost access), the one-statement copy, and the retry when the
 * share changed in between. Reached only through {@link Conversations}, with the rules of
 * {@link Access}.
 */
final class Forking {

    /** Logged under the entry point's name, as before the split (log settings name it). */
    private static final Logger log = LoggerFactory.getLogger(Conversations.class);

    /** How many times a fork starts again when the share changed between its check and its copy. */
    private static final int FORK_ATTEMPTS = 10;

    private final Database db;
    private final Access access;
    private final ConversationStore store;
    private final MessageStore messageStore;
    private final ActivityStore activity;

    Forking(Database db, Access access, ConversationStore store, MessageStore messageStore, ActivityStore activity) {
        this.db = db;
        this.access = access;
        this.store = store;
        this.messageStore = messageStore;
        this.activity = activity;
    }

    ForkResult fork(Identity caller, UUID conversationId, UUID until) {
        Access.requireWriter(caller, "fork conversations");
        record Plan(int boundaryIndex, ToolResultsPolicy policy, boolean withholds, boolean crossOwner,
                List<Message> skeleton, Map<RecordedCall, Entitlement> known) {
        }
        for (int attempt = 1; attempt <= FORK_ATTEMPTS; attempt++) {
            Plan plan = db.read("preparing the fork of conversation " + conversationId, c -> {
                Access.Seen seen = Access.seen(caller,
                        access.existing(c, caller, conversationId, ConversationStore.Lock.NONE, access.now()));
                Conversation source = seen.conversation();
                Message boundary = forkPoint(c, conversationId, until, seen.lastVisible());
                boolean crossOwner = !source.ownerId().equals(caller.userId());
                boolean withholds = Access.seesOnlyWhatPolicyAllows(caller, source);
                List<Message> skeleton = crossOwner || withholds
                        ? messageStore.skeleton(c, conversationId, 0, boundary.index()) : null;
                ToolResultsPolicy policy = access.policyOf(source);
                Map<RecordedCall, Entitlement> known = skeleton == null ? Map.of()
                        : access.known(c, caller, skeleton, withholds ? policy : ToolResultsPolicy.ALL, crossOwner);
                return new Plan(boundary.index(), policy, withholds, crossOwner, skeleton, known);
            });
            Withholding withheld = Withholding.nothing();
            Map<RecordedCall, Entitlement> verdicts = plan.crossOwner() ? new HashMap<>() : null;
            if (plan.skeleton() != null) {
                withheld = access.withholding(caller, plan.skeleton(),
                        plan.withholds() ? plan.policy() : ToolResultsPolicy.ALL, verdicts, plan.known());
            }
            Withholding copyWithheld = withheld;
            ForkResult result = db.write("forking conversation " + conversationId, c -> {
                // FOR SHARE: share, unshare and append wait until the copy is done, so the boundary
                // read here is the one the copy obeys.
                Access.Seen seen = Access.seen(caller,
                        access.existing(c, caller, conversationId, ConversationStore.Lock.SHARE, access.now()));
                Conversation source = seen.conversation();
                Message boundary = forkPoint(c, conversationId, until, seen.lastVisible());
                // What was decided for the planned prefix holds for any shorter one (turns are whole
                // within it); a later boundary or another policy needs a new check.
                if (plan.skeleton() != null
                        && (boundary.index() > plan.boundaryIndex() || access.policyOf(source) != plan.policy())) {
                    return null;
                }
                List<LostAccess> lostAccess = verdicts == null ? List.of()
                        : Withholding.lostAccess(plan.skeleton().subList(0, boundary.index() + 1), verdicts);
                Instant now = access.now();
                String earlierOwner = source.ownerId().equals(caller.userId()) ? source.earlierOwnerId() : source.ownerId();
                String title = source.title() + " (forked)";
                Conversation fork = new Conversation(UUID.randomUUID(), caller.projectId(), caller.userId(),
                        title, now, now, null, null,
                        new ForkedFrom(source.id(), boundary.id(), boundary.index(), source.ownerId()), earlierOwner,
                        boundary.index() + 1, null, null, lostAccess);
                store.insertConversation(c, fork);
                // the copy checks the share again, at this instant, in its own statement: a fork that
                // crosses the share's expiry copies everything, or nothing and is refused (rolled back)
                int copied = messageStore.copyMessages(c, source.id(), boundary.index(), fork.id(), copyWithheld,
                        Access.privileged(caller, source), caller.userId(), access.now());
                if (copied == 0) {
                    throw Access.denied(conversationId);
                }
                if (copied != boundary.index() + 1) {
                    // indexes are gap-free, so anything else means the store is inconsistent
                    throw new IllegalStateException("fork copied " + copied + " messages, expected " + (boundary.index() + 1));
                }
                if (!source.isOwnedBy(caller)) {
                    Map<String, Object> details = new LinkedHashMap<>();
                    details.put("fork_id", fork.id().toString());
                    details.put("copied_messages", copied);
                    details.put("copied_up_to_message_id", boundary.id().toString());
                    details.put("copied_up_to_index", boundary.index());
                    details.put("withheld_messages", copyWithheld.byIndex().keySet().stream()
                            .filter(index -> index <= boundary.index()).count());
                    details.put("lost_access", lostAccess.size());
                    activity.record(c, source.projectId(), source.id(), caller.userId(), ActivityEvent.FORK, details, now);
                }
                return new ForkResult(fork, copied, lostAccess);
            });
            if (result != null) {
                log.info("[{} {}] forked {} into {} ({} messages, {} lost access)", caller.projectId(),
                        caller.userId(), conversationId, result.conversation().id(), result.copiedMessages(),
                        result.lostAccess().size());
                return result;
            }
        }
        throw new BatonException(ErrorCode.TURN_IN_PROGRESS, "Conversation " + conversationId
                + " kept changing its share while it was being forked; fork it again.");
    }

    /** {@code until} as a visible turn end, or the latest visible turn end when it is null. */
    private Message forkPoint(Connection c, UUID conversationId, UUID until, int lastVisible) throws SQLException {
        if (until != null) {
            return access.turnEnd(c, conversationId, until, lastVisible);
        }
        return messageStore.latestTurnEnd(c, conversationId, lastVisible).orElseThrow(() -> new BatonException(
                ErrorCode.NOTHING_TO_FORK, "Conversation " + conversationId
                        + " has no completed turn to fork yet (a turn ends with the root result of router_agent)."));
    }
}
