package baton.conversation;

import baton.db.Database;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sharing and unsharing (owner or admin): the boundary, its terms and tool-results policy, and the
 * share events of the activity. Reached only through {@link Conversations}, with the rules of
 * {@link Access}.
 */
final class Sharing {

    /** Logged under the entry point's name, as before the split (log settings name it). */
    private static final Logger log = LoggerFactory.getLogger(Conversations.class);

    private final Database db;
    private final Access access;
    private final ConversationStore store;
    private final MessageStore messageStore;
    private final ActivityStore activity;

    Sharing(Database db, Access access, ConversationStore store, MessageStore messageStore, ActivityStore activity) {
        this.db = db;
        this.access = access;
        this.store = store;
        this.messageStore = messageStore;
        this.activity = activity;
    }

    Conversation shareOn(Identity caller, UUID conversationId, ShareRequest request) {
        Access.requireWriter(caller, "share conversations");
        UUID until = request.until();
        ToolResultsPolicy policy = request.toolResults() == null ? access.defaultPolicy() : request.toolResults();
        Conversation shared = db.write("sharing conversation " + conversationId, c -> {
            Conversation conversation = access.existing(c, caller, conversationId, ConversationStore.Lock.UPDATE);
            Access.requireOwnerOrAdmin(caller, conversation, "share");
            int last = conversation.messageCount() - 1;
            Message boundary;
            if (until == null) {
                boundary = messageStore.latestTurnEnd(c, conversationId, last).orElseThrow(() -> new BatonException(
                        ErrorCode.NOTHING_TO_SHARE, "Conversation " + conversationId
                                + " has no completed turn to share yet (a turn ends with the root result of router_agent)."));
            } else {
                boundary = access.turnEnd(c, conversationId, until, last);
            }
            Instant now = access.now();
            ShareTerms terms = request.terms(now);
            store.updateShare(c, conversationId, boundary, terms, policy, now);
            Conversation after = withShare(conversation, boundary, terms, policy, now);
            activity.record(c, after.projectId(), conversationId, caller.userId(), ActivityEvent.SHARE,
                    shareDetails(after), now);
            return after;
        });
        log.info("[{} {}] shared {} until {} (tool results: {})", caller.projectId(), caller.userId(), conversationId,
                shared.sharedUntilMessageId(), policy.wireName());
        return shared;
    }

    Conversation unshare(Identity caller, UUID conversationId) {
        Access.requireWriter(caller, "unshare conversations");
        Conversation unshared = db.write("unsharing conversation " + conversationId, c -> {
            Conversation conversation = access.existing(c, caller, conversationId, ConversationStore.Lock.UPDATE);
            Access.requireOwnerOrAdmin(caller, conversation, "unshare");
            Instant now = access.now();
            activity.record(c, conversation.projectId(), conversationId, caller.userId(), ActivityEvent.UNSHARE,
                    Map.of("was_shared", conversation.isShared()), now);
            if (!conversation.isShared()) {
                return conversation;
            }
            store.updateShare(c, conversationId, null, null, null, now);
            return withShare(conversation, null, null, null, now);
        });
        log.info("[{} {}] unshared {}", caller.projectId(), caller.userId(), conversationId);
        return unshared;
    }

    /**
     * What a share event records of the share as it now stands. An open map: the share's policy,
     * audience and expiry go here too where a share has them.
     */
    static Map<String, Object> shareDetails(Conversation shared) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("shared_until_message_id", shared.sharedUntilMessageId() == null ? null
                : shared.sharedUntilMessageId().toString());
        details.put("shared_until_index", shared.sharedUntilIndex());
        details.put("tool_results", shared.sharedToolResults() == null ? null : shared.sharedToolResults().wireName());
        ShareTerms terms = shared.share();
        if (terms != null) {
            details.put("with_users", terms.withUsers());
            details.put("expires_at", terms.expiresAt() == null ? null : terms.expiresAt().toString());
            details.put("follow", terms.follows());
        }
        return details;
    }

    private static Conversation withShare(Conversation c, Message boundary, ShareTerms terms, ToolResultsPolicy policy,
            Instant now) {
        return new Conversation(c.id(), c.projectId(), c.ownerId(), c.title(), c.createdAt(), now,
                boundary == null ? null : boundary.id(), boundary == null ? null : boundary.index(),
                c.forkedFrom(), c.earlierOwnerId(), c.messageCount(), boundary == null ? null : terms,
                boundary == null ? null : policy, c.lostAccess());
    }
}
