package baton.http;

import baton.conversation.Identity;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The limits {@link RequestGate} applies once it knows the caller: the request rate
 * ({@link RateLimiter}), the sessions ({@link SessionLimits}) and what reading a body may cost
 * ({@link BodyLimits}). One object so the gate needs a few calls, not a few fields.
 */
final class CallerLimits implements AutoCloseable {

    private final RateLimiter rate;
    private final SessionLimits sessions;
    private final BodyLimits bodies;

    CallerLimits(RateLimiter rate, SessionLimits sessions, BodyLimits bodies) {
        this.rate = rate;
        this.sessions = sessions;
        this.bodies = bodies;
    }

    /** No limit but the body size: what the gate did before limits (its tests build it so). */
    static CallerLimits none(long maxRequestBytes) {
        LimitSettings off = LimitSettings.perRequestOnly()
                .withBodies(LimitSettings.defaults().json(), Integer.MAX_VALUE, 0);
        return new CallerLimits(new RateLimiter(0), new SessionLimits(off, id -> { }, System::nanoTime, false),
                new BodyLimits(off, maxRequestBytes));
    }

    /**
     * Whose bucket a request takes from: the caller's identity (user and project), else, for a
     * request without one, its remote address.
     */
    static String callerKey(Identity identity, HttpServletRequest request) {
        return identity != null ? "id:" + identity.userId() + '\n' + identity.projectId()
                : "addr:" + request.getRemoteAddr();
    }

    /** Takes a token for the caller; false after answering 429 with Retry-After. */
    boolean admit(Identity identity, HttpServletRequest request, HttpServletResponse response) throws IOException {
        long wait = rate.acquire(callerKey(identity, request));
        if (wait == 0) {
            return true;
        }
        response.setHeader("Retry-After", Long.toString(wait));
        JsonRpcErrors.write(response, 429, null, JsonRpcErrors.REFUSED,
                "Too many requests from this caller; retry in " + wait + (wait == 1 ? " second." : " seconds."));
        return false;
    }

    /** Makes room for a new session of {@code owner}; false after answering 429. */
    boolean reserveSession(String owner, HttpServletResponse response) throws IOException {
        if (sessions.reserve(owner)) {
            return true;
        }
        response.setHeader("Retry-After", "1");
        JsonRpcErrors.write(response, 429, null, JsonRpcErrors.REFUSED,
                "As many MCP sessions are open and busy as this server allows (for this caller or in all); close"
                        + " one (DELETE) or retry once one is idle.");
        return false;
    }

    SessionLimits sessions() {
        return sessions;
    }

    BodyLimits bodies() {
        return bodies;
    }

    RateLimiter rate() {
        return rate;
    }

    @Override
    public void close() {
        sessions.close();
    }
}
