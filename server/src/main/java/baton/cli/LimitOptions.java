package baton.cli;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.http.LimitSettings;
import baton.mcp.JsonBudget;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What one caller and one request may cost {@code serve --http} (README, "Limits"): each flag,
 * else its {@code BATON_HTTP_*} variable, else the default. Durations are whole seconds or a
 * number with {@code s}, {@code m} or {@code h}.
 */
final class LimitOptions {

    @Option(names = "--rate-limit", paramLabel = "PER_SECOND",
            description = "Requests per second per caller (bursts of twice that; 0 turns it off); default: BATON_HTTP_RATE_LIMIT, else 50.")
    Double rateLimit;

    @Option(names = "--max-sessions-per-caller", paramLabel = "N",
            description = "Open MCP sessions per caller; a new one closes the caller's oldest idle one beyond that; default: BATON_HTTP_MAX_SESSIONS_PER_CALLER, else 32.")
    Integer maxSessionsPerCaller;

    @Option(names = "--max-sessions", paramLabel = "N",
            description = "Open MCP sessions on this instance; a new one closes the oldest idle one beyond that; default: BATON_HTTP_MAX_SESSIONS, else 10000.")
    Integer maxSessions;

    @Option(names = "--session-idle-timeout", paramLabel = "DURATION",
            description = "A session without a request for this long is closed (e.g. 30m); default: BATON_HTTP_SESSION_IDLE_TIMEOUT, else 30m.")
    String sessionIdleTimeout;

    @Option(names = "--max-json-values", paramLabel = "N",
            description = "JSON values one message may hold, counted while it arrives; default: BATON_HTTP_MAX_JSON_VALUES, else 200000.")
    Integer maxJsonValues;

    @Option(names = "--max-json-depth", paramLabel = "N",
            description = "How deeply one message may nest JSON; default: BATON_HTTP_MAX_JSON_DEPTH, else 64.")
    Integer maxJsonDepth;

    @Option(names = "--max-large-bodies", paramLabel = "N",
            description = "Request bodies over 1 MiB handled at once (more get 503); default: BATON_HTTP_MAX_LARGE_BODIES, else 4.")
    Integer maxLargeBodies;

    @Option(names = "--min-upload-rate", paramLabel = "BYTES_PER_SECOND",
            description = "Slowest a body may arrive after its first 5 seconds (slower gets 408; 0 turns it off); default: BATON_HTTP_MIN_UPLOAD_RATE, else 16384.")
    Long minUploadRate;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "A connection or SSE stream that carries nothing this long is closed (e.g. 5m); default: BATON_HTTP_IDLE_TIMEOUT, else 5m.")
    String idleTimeout;

    boolean anyGiven() {
        return rateLimit != null || maxSessionsPerCaller != null || maxSessions != null || sessionIdleTimeout != null
                || maxJsonValues != null || maxJsonDepth != null || maxLargeBodies != null || minUploadRate != null
                || idleTimeout != null;
    }

    LimitSettings settings(Map<String, String> env) {
        double rate = rateLimit != null ? rateLimit : decimal(env, "BATON_HTTP_RATE_LIMIT", LimitSettings.DEFAULT_RATE_LIMIT);
        int perCaller = whole(maxSessionsPerCaller, env, "BATON_HTTP_MAX_SESSIONS_PER_CALLER",
                LimitSettings.DEFAULT_MAX_SESSIONS_PER_CALLER);
        int inAll = whole(maxSessions, env, "BATON_HTTP_MAX_SESSIONS", LimitSettings.DEFAULT_MAX_SESSIONS);
        Duration sessionIdle = duration(Settings.first(sessionIdleTimeout, env.get("BATON_HTTP_SESSION_IDLE_TIMEOUT")),
                "--session-idle-timeout", LimitSettings.DEFAULT_SESSION_IDLE_TIMEOUT);
        int values = whole(maxJsonValues, env, "BATON_HTTP_MAX_JSON_VALUES", JsonBudget.DEFAULT_MAX_VALUES);
        int depth = whole(maxJsonDepth, env, "BATON_HTTP_MAX_JSON_DEPTH", JsonBudget.DEFAULT_MAX_DEPTH);
        if (values < 100) {
            throw new BatonException(ErrorCode.CONFIGURATION, "--max-json-values must be at least 100, not " + values + ".");
        }
        if (depth < 8) {
            throw new BatonException(ErrorCode.CONFIGURATION, "--max-json-depth must be at least 8, not " + depth + ".");
        }
        int large = whole(maxLargeBodies, env, "BATON_HTTP_MAX_LARGE_BODIES", LimitSettings.DEFAULT_MAX_LARGE_BODIES);
        long minRate = minUploadRate != null ? minUploadRate
                : Settings.number(env, "BATON_HTTP_MIN_UPLOAD_RATE", LimitSettings.DEFAULT_MIN_UPLOAD_RATE);
        Duration idle = duration(Settings.first(idleTimeout, env.get("BATON_HTTP_IDLE_TIMEOUT")), "--idle-timeout",
                LimitSettings.DEFAULT_IDLE_TIMEOUT);
        return new LimitSettings(rate, perCaller, inAll, sessionIdle, new JsonBudget(values, depth), large, minRate, idle);
    }

    private static int whole(Integer flag, Map<String, String> env, String variable, int fallback) {
        long value = flag != null ? flag : Settings.number(env, variable, fallback);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new BatonException(ErrorCode.CONFIGURATION, variable + " is too large: " + value + ".");
        }
        return (int) value;
    }

    private static double decimal(Map<String, String> env, String variable, double fallback) {
        String text = Settings.first(env.get(variable));
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, variable + " must be a number, not '" + text + "'.");
        }
    }

    /** Whole seconds, or a number followed by ms, s, m or h. */
    static Duration duration(String text, String name, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            char unit = t.charAt(t.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException(t);
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    name + " must be a duration such as 90s, 30m or 2h, not '" + text.strip() + "'.");
        }
    }
}
