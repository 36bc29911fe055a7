package baton.conversation;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One recorded event of a conversation's activity.
 *
 * @param at when it happened (for folded reads: the first read of the window)
 * @param lastAt the last read folded into it (equal to {@code at} for other actions)
 * @param count how many reads were folded into it (1 for other actions)
 * @param details what the action concerned (an open map: other parts of Baton add their own keys)
 */
public record ActivityEvent(long id, String projectId, UUID conversationId, String actorId, String action,
        Instant at, Instant lastAt, int count, Map<String, Object> details) {

    public static final String READ = "read";
    public static final String FORK = "fork";
    public static final String SHARE = "share";
    public static final String UNSHARE = "unshare";
    public static final String DELETE = "delete";
    public static final String RENAME = "rename";

    public ActivityEvent {
        Objects.requireNonNull(projectId, "projectId must not be null");
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        Objects.requireNonNull(actorId, "actorId must not be null");
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(at, "at must not be null");
        Objects.requireNonNull(lastAt, "lastAt must not be null");
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
