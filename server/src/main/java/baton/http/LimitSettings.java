package baton.http;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.mcp.JsonBudget;
import java.time.Duration;

/**
 * What one caller, and one request, may cost an HTTP instance (see the README, "Limits").
 *
 * @param rateLimit requests per second per caller (a token bucket holding twice that); 0 turns it off
 * @param maxSessionsPerCaller open MCP sessions per caller; beyond it the caller's oldest idle one is closed
 * @param maxSessions open MCP sessions on this instance; beyond it the oldest idle one is closed
 * @param sessionIdleTimeout a session with no request for this long is closed
 * @param json the JSON values and nesting depth one message may hold
 * @param maxLargeBodies bodies over 1 MiB read (and handled) at once; more get 503
 * @param minUploadRate bytes per second a body must arrive at after the first seconds; 0 turns it off
 * @param idleTimeout a connection (an SSE stream among them) that carries nothing for this long is closed
 */
public record LimitSettings(double rateLimit, int maxSessionsPerCaller, int maxSessions, Duration sessionIdleTimeout,
        JsonBudget json, int maxLargeBodies, long minUploadRate, Duration idleTimeout) {

    public static final double DEFAULT_RATE_LIMIT = 50;
    public static final int DEFAULT_MAX_SESSIONS_PER_CALLER = 32;
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** Four 16 MiB bodies with their parsed forms fit in a 512 MiB heap beside everything else. */
    public static final int DEFAULT_MAX_LARGE_BODIES = 4;
    /** 16 KiB/s: a 1 MiB body at that rate takes a minute; a client slower than that holds a server thread for nothing. */
    public static final long DEFAULT_MIN_UPLOAD_RATE = 16 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** The first seconds of an upload, during which no rate is asked (a connection warming up). */
    static final Duration UPLOAD_GRACE = Duration.ofSeconds(5);

    public LimitSettings {
        if (rateLimit < 0 || Double.isNaN(rateLimit)) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The rate limit must be 0 (off) or more requests per second, not "
                    + rateLimit + ".");
        }
        if (maxSessionsPerCaller < 1) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The sessions per caller must be at least 1, not "
                    + maxSessionsPerCaller + ".");
        }
        if (maxSessions < 1) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The sessions in all must be at least 1, not " + maxSessions + ".");
        }
        positive(sessionIdleTimeout, "session idle timeout");
        positive(idleTimeout, "idle timeout");
        if (json == null) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The JSON limits are missing.");
        }
        if (maxLargeBodies < 1) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The large bodies in flight must be at least 1, not "
                    + maxLargeBodies + ".");
        }
        if (minUploadRate < 0) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The minimum upload rate must be 0 (off) or more bytes per second, not "
                    + minUploadRate + ".");
        }
    }

    public static LimitSettings defaults() {
        return new LimitSettings(DEFAULT_RATE_LIMIT, DEFAULT_MAX_SESSIONS_PER_CALLER, DEFAULT_MAX_SESSIONS,
                DEFAULT_SESSION_IDLE_TIMEOUT, JsonBudget.defaults(), DEFAULT_MAX_LARGE_BODIES, DEFAULT_MIN_UPLOAD_RATE,
                DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * The defaults without the per-caller limits (no rate limit, no session caps): what a request
     * may cost stays bounded, how many a caller makes does not.
     */
    public static LimitSettings perRequestOnly() {
        return defaults().withRateLimit(0).withSessions(Integer.MAX_VALUE, Integer.MAX_VALUE,
                DEFAULT_SESSION_IDLE_TIMEOUT);
    }

    public LimitSettings withRateLimit(double perSecond) {
        return new LimitSettings(perSecond, maxSessionsPerCaller, maxSessions, sessionIdleTimeout, json, maxLargeBodies,
                minUploadRate, idleTimeout);
    }

    public LimitSettings withSessions(int perCaller, int inAll, Duration idle) {
        return new LimitSettings(rateLimit, perCaller, inAll, idle, json, maxLargeBodies, minUploadRate, idleTimeout);
    }

    public LimitSettings withBodies(JsonBudget budget, int largeInFlight, long minRate) {
        return new LimitSettings(rateLimit, maxSessionsPerCaller, maxSessions, sessionIdleTimeout, budget, largeInFlight,
                minRate, idleTimeout);
    }

    public LimitSettings withIdleTimeout(Duration idle) {
        return new LimitSettings(rateLimit, maxSessionsPerCaller, maxSessions, sessionIdleTimeout, json, maxLargeBodies,
                minUploadRate, idle);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The " + name + " must be positive, not " + d + ".");
        }
    }
}
