package baton.auth;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a Baton token lives, as {@code token create --expires-in} takes it: a whole number and
 * one unit, {@code s}, {@code m}, {@code h} or {@code d} ({@code 90s}, {@code 15m}, {@code 12h},
 * {@code 30d}); at least one minute, at most 100 years.
 */
public final class TokenLifetime {

    private static final Pattern SHAPE = Pattern.compile("([0-9]{1,9})([smhd])");
    static final Duration MIN = Duration.ofMinutes(1);
    static final Duration MAX = Duration.ofDays(36_500);

    private TokenLifetime() {
    }

    /** The duration {@code text} names, or a {@link BatonException} (invalid argument) naming {@code option}. */
    public static Duration parse(String text, String option) {
        String value = text == null ? "" : text.strip();
        Matcher m = SHAPE.matcher(value);
        if (!m.matches()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, option + " must be a whole number followed by s, m, h"
                    + " or d (e.g. 90s, 15m, 12h, 30d), not '" + shorten(value) + "'.");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(MIN) < 0) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, option + " must be at least 1 minute (60s or 1m), not '"
                    + value + "'.");
        }
        if (d.compareTo(MAX) > 0) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, option + " must be at most 36500d, not '" + value + "'.");
        }
        return d;
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
