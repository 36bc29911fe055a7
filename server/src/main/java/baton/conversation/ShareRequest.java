package baton.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * What {@code share_conversation} asks for, checked where it is made: every refusal is one
 * sentence naming the argument, before anything is read or written.
 *
 * @param until the turn end to share up to, or null for the latest (or, with {@code follow}, every one to come)
 * @param withUsers the audience: 1 to {@value #MAX_AUDIENCE} user ids of the project, or null for the whole project
 * @param expiresInSeconds how long the share lasts, {@value #MIN_EXPIRY_SECONDS} s to 365 days, or null for no expiry
 * @param follow whether the boundary follows the owner's completed turns (a live share)
 * @param toolResults what non-owners see of the tool results, or null for the server's default
 */
public record ShareRequest(UUID until, List<String> withUsers, Long expiresInSeconds, boolean follow,
        ToolResultsPolicy toolResults) {

    public static final int MAX_AUDIENCE = 100;
    public static final long MIN_EXPIRY_SECONDS = 60;
    public static final long MAX_EXPIRY_SECONDS = Duration.ofDays(365).toSeconds();

    public ShareRequest {
        if (withUsers != null) {
            if (withUsers.isEmpty()) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, "with_users must name at least one user"
                        + " (omit it to share with the whole project).");
            }
            if (withUsers.size() > MAX_AUDIENCE) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, "with_users names " + withUsers.size()
                        + " users; a share is for at most " + MAX_AUDIENCE + ".");
            }
            // user ids are names within the project, checked as every identity's user id is
            LinkedHashSet<String> distinct = new LinkedHashSet<>();
            for (int i = 0; i < withUsers.size(); i++) {
                distinct.add(Identity.requireName(withUsers.get(i), "with_users[" + i + "]"));
            }
            withUsers = List.copyOf(new ArrayList<>(distinct));
        }
        if (expiresInSeconds != null && (expiresInSeconds < MIN_EXPIRY_SECONDS || expiresInSeconds > MAX_EXPIRY_SECONDS)) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "expires_in_seconds must be between "
                    + MIN_EXPIRY_SECONDS + " (one minute) and " + MAX_EXPIRY_SECONDS + " (365 days), not "
                    + expiresInSeconds + ".");
        }
        if (follow && until != null) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "until_message_id " + until
                    + " cannot be given with follow: true, since a share that follows moves to each new turn end.");
        }
    }

    /** A request with the server's default tool-results policy. */
    public ShareRequest(UUID until, List<String> withUsers, Long expiresInSeconds, boolean follow) {
        this(until, withUsers, expiresInSeconds, follow, null);
    }

    /** A share as before these terms: the whole project, no expiry, pinned at {@code until}. */
    public static ShareRequest until(UUID until) {
        return new ShareRequest(until, null, null, false);
    }

    /** The terms this request sets when it is carried out at {@code now}. */
    ShareTerms terms(Instant now) {
        return new ShareTerms(withUsers, expiresInSeconds == null ? null : now.plusSeconds(expiresInSeconds), follow,
                true);
    }
}
