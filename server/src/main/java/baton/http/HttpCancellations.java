package baton.http;

import baton.agent.Cancellation;
import baton.mcp.RequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running requests of every session on this instance, each with its {@link Cancellation}
 * (handed to the tools through the transport context, key {@link RequestContext#CANCELLATION}),
 * so that a posted {@code notifications/cancelled} stops the one it names. A request can be
 * cancelled only from its own session by its own caller; a notification naming a request that is
 * not running is ignored, as the MCP cancellation rules ask.
 */
final class HttpCancellations {

    private static final Logger log = LoggerFactory.getLogger(HttpCancellations.class);
    static final String CANCELLED = "notifications/cancelled";

    record Key(String sessionId, String requestId) {
    }

    record Running(String owner, Cancellation cancellation) {
    }

    /**
     * A POST as this registry saw it: the request to hand on (its body read once here, replayed
     * to the transport), and the running request it registered, if any.
     */
    record Posted(HttpServletRequest request, boolean cancelNotification, Key key, Running running) {
    }

    private final Map<Key, Running> running = new ConcurrentHashMap<>();
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * A POST to a session, whose one message {@link MessageGate} has read: a request gets its
     * cancellation (registered under the session and its JSON-RPC id); a
     * {@code notifications/cancelled} cancels the request it names.
     */
    Posted admit(HttpServletRequest replay, PostedMessage message, String sessionId, String owner) {
        if (message == null || message.method() == null) {
            return new Posted(replay, false, null, null);
        }
        JsonNode id = message.id();
        if (CANCELLED.equals(message.method()) && message.kind() == PostedMessage.Kind.NOTIFICATION) {
            JsonNode params = message.params();
            JsonNode requestId = params == null ? null : params.get("requestId");
            if (requestId != null && (requestId.isTextual() || requestId.isIntegralNumber())) {
                cancel(sessionId, owner, requestId.toString(), params.path("reason").asText(""));
            }
            return new Posted(replay, true, null, null);
        }
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return new Posted(replay, false, null, null);
        }
        Key key = new Key(sessionId, id.toString());
        Running entry = new Running(owner, new Cancellation());
        replay.setAttribute(RequestContext.CANCELLATION, entry.cancellation());
        // a second request with the id of one still running cannot be cancelled by id
        boolean registered = running.putIfAbsent(key, entry) == null;
        return new Posted(replay, false, registered ? key : null, entry);
    }

    /** The transport is done with the POST: its request can no longer be cancelled. */
    void done(Posted posted) {
        if (posted.key() != null) {
            running.remove(posted.key(), posted.running());
        }
    }

    private void cancel(String sessionId, String owner, String requestId, String reason) {
        Running entry = running.get(new Key(sessionId, requestId));
        if (entry == null || !entry.owner().equals(owner)) {
            log.debug("notifications/cancelled for request {} of session {}, which is not running", requestId,
                    sessionId);
            return;
        }
        if (entry.cancellation().cancel(reason.isBlank() ? "the client cancelled it" : reason)) {
            log.info("request {} of session {} was cancelled by its client", RequestGate.shorten(requestId),
                    RequestGate.shorten(sessionId));
        }
    }
}
