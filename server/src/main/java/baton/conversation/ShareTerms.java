package baton.conversation;

import java.time.Instant;
import java.util.List;

/**
 * The terms of a share besides its boundary, all set by one {@code share_conversation} and
 * replaced by the next.
 *
 * @param withUsers the user ids of the project the share is for, or null for the whole project;
 *     also null when the audience is not shown to the caller (see {@code audienceShown})
 * @param expiresAt from this instant on non-owners are refused as if it were not shared, or null
 * @param follows whether the boundary is the latest turn end at the time of each call (a live share)
 * @param audienceShown whether the caller may see the audience (its owner and admins)
 */
public record ShareTerms(List<String> withUsers, Instant expiresAt, boolean follows, boolean audienceShown) {

    /** A share for the whole project, with no expiry, pinned at its boundary: a share as before. */
    public static final ShareTerms PROJECT = new ShareTerms(null, null, false, true);

    public ShareTerms {
        withUsers = withUsers == null ? null : List.copyOf(withUsers);
    }

    /** The same terms as a reader who is neither the owner nor an admin sees them: no audience. */
    ShareTerms withoutAudience() {
        return new ShareTerms(null, expiresAt, follows, false);
    }

    /** Whether {@code userId} is in the audience (true for a share with the whole project). */
    boolean includes(String userId) {
        return withUsers == null || withUsers.contains(userId);
    }

    /** Whether the share has expired at {@code now}. */
    boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
