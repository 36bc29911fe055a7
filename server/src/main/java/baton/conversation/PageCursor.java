package baton.conversation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.function.BiFunction;

/**
 * The opaque position of a page in a listing ordered newest first: a time and a tie-breaker,
 * written as base64url of {@code [kind:]seconds:nanos:tail}. Callers never read it; one that was
 * not made here is refused with one sentence naming the tool that makes them.
 */
final class PageCursor {

    /** After every time Baton stores: where the first page starts. */
    static final Instant END = Instant.parse("9999-12-31T23:59:59Z");
    /** The earliest time a cursor may hold: any earlier one was not made by Baton. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    private PageCursor() {
    }

    /** {@code kind} tells listings apart (empty for none); {@code tail} holds no ':' before its end. */
    static String encode(String kind, Instant at, String tail) {
        String raw = (kind.isEmpty() ? "" : kind + ":") + at.getEpochSecond() + ":" + at.getNano() + ":" + tail;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The position {@code cursor} names, made by {@code position} from its time and tail; null for
     * no cursor (the first page).
     */
    static <T> T decode(String cursor, String kind, String tool, BiFunction<Instant, String, T> position) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!kind.isEmpty()) {
                if (!raw.startsWith(kind + ":")) {
                    throw new IllegalArgumentException("another listing's cursor");
                }
                raw = raw.substring(kind.length() + 1);
            }
            String[] parts = raw.split(":", 3);
            long nanos = Long.parseLong(parts[1]);
            Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
            // PostgreSQL's timestamps end long before Java's: a time outside Baton's range would
            // fail in the query, as an internal error
            if (nanos < 0 || nanos > 999_999_999 || at.isBefore(EARLIEST) || at.isAfter(END)) {
                throw new IllegalArgumentException("time out of range");
            }
            return position.apply(at, parts[2]);
        } catch (RuntimeException e) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "cursor " + Quote.of(cursor) + " is not a cursor returned by " + tool + ".");
        }
    }
}
