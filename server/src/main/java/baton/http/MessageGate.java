package baton.http;

import baton.mcp.BatonMcpServer;
import baton.mcp.InvalidUtf8;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of {@link RequestGate} that need the message itself, before and after the MCP
 * transport handles it:
 * <ul>
 *   <li>before: the body is UTF-8 when it names no other charset ({@link InvalidUtf8}), it is one
 *       JSON-RPC message ({@link PostedMessage}), the
 *       {@code MCP-Protocol-Version} header names a version this server speaks
 *       ({@link ProtocolVersionHeader}), and a request's params have the shape its method takes;</li>
 *   <li>after: a posted response the transport could not match to a request (it answers those
 *       with 500) is accepted with 202 and dropped, and a request the transport answered with
 *       nothing at all (its handler failed before it could answer) gets a JSON-RPC internal error
 *       instead of an empty 200.</li>
 * </ul>
 */
final class MessageGate {

    private static final Logger log = LoggerFactory.getLogger(MessageGate.class);

    private final ObjectMapper mapper;
    private final BodyLimits bodies;

    /** What the gate lets through: the request to hand on, and the message it carries (null for GET/DELETE). */
    record Admitted(HttpServletRequest request, PostedMessage message) {
    }

    MessageGate(long maxRequestBytes) {
        this(maxRequestBytes, CallerLimits.none(maxRequestBytes).bodies());
    }

    MessageGate(long maxRequestBytes, BodyLimits bodies) {
        // the transport's own limits, so that what passes here is what the transport can read
        this.mapper = BatonMcpServer.jsonMapper(maxRequestBytes).getObjectMapper();
        this.bodies = bodies;
    }

    /** The request to hand to the transport, or null when this answered it with an error. */
    Admitted admit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PostedMessage message = null;
        HttpServletRequest passed = request;
        if ("POST".equals(request.getMethod())) {
            BodyLimits.Result read = bodies.read(request);
            if (read instanceof BodyLimits.Refusal refusal) {
                // the rest of the body is not read: the connection ends with this answer
                response.setHeader("Connection", "close");
                if (refusal.retryAfterSeconds() > 0) {
                    response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
                }
                if (refusal.id() != null) {
                    // a request too big in values or depth whose id came first: its answer is that
                    // request's error, so the client's session goes on (a 400 would end it)
                    JsonRpcErrors.write(response, HttpServletResponse.SC_OK,
                            mapper.valueToTree(refusal.id()), JsonRpcErrors.INVALID_REQUEST, refusal.sentence());
                    return null;
                }
                JsonRpcErrors.write(response, refusal.status(), null,
                        refusal.status() == HttpServletResponse.SC_BAD_REQUEST ? JsonRpcErrors.INVALID_REQUEST
                                : JsonRpcErrors.REFUSED, refusal.sentence());
                return null;
            }
            byte[] body = ((BodyLimits.Body) read).bytes();
            if (BodyLimits.isUtf8(request)) {
                InvalidUtf8 bad = InvalidUtf8.find(body, "the body");
                if (bad != null) {
                    // a request with an id gets its error as its answer; anything else is refused outright
                    JsonRpcErrors.write(response, bad.id() == null ? HttpServletResponse.SC_BAD_REQUEST
                            : HttpServletResponse.SC_OK, bad.id() == null ? null : mapper.valueToTree(bad.id()),
                            bad.code(), bad.sentence());
                    return null;
                }
            }
            Charset charset = BodyLimits.charsetOf(request);
            message = PostedMessage.read(mapper, new String(body, charset));
            if (message.problem() != null) {
                JsonRpcErrors.write(response, HttpServletResponse.SC_BAD_REQUEST, null, message.problem().code(),
                        message.problem().sentence());
                return null;
            }
            passed = new ReplayedRequest(request, body, charset);
        }
        if (message == null || !message.isInitialize()) {
            String refusal = ProtocolVersionHeader.refusal(request.getHeader(ProtocolVersionHeader.NAME));
            if (refusal != null) {
                JsonRpcErrors.write(response, HttpServletResponse.SC_BAD_REQUEST, null, JsonRpcErrors.REFUSED,
                        refusal);
                return null;
            }
        }
        PostedMessage.Problem params = message == null || message.kind() == PostedMessage.Kind.RESPONSE ? null
                : message.paramsProblem(mapper);
        if (params != null) {
            if (message.kind() == PostedMessage.Kind.REQUEST) {
                // a well-formed request with an id: its answer is a JSON-RPC error, as for any bad call
                JsonRpcErrors.write(response, HttpServletResponse.SC_OK, message.id(), params.code(),
                        params.sentence());
            } else {
                JsonRpcErrors.write(response, HttpServletResponse.SC_BAD_REQUEST, null, params.code(),
                        params.sentence());
            }
            return null;
        }
        return new Admitted(passed, message);
    }

    /**
     * Puts right what the transport answered, once it has; true when this wrote the answer, so the
     * gate has nothing left to do.
     */
    boolean settle(Admitted admitted, HttpServletResponse response, TransportResponse answer) throws IOException {
        PostedMessage message = admitted.message();
        if (message == null) {
            return false;
        }
        if (message.kind() == PostedMessage.Kind.RESPONSE && answer.heldError()
                && answer.heldStatus() == HttpServletResponse.SC_INTERNAL_SERVER_ERROR) {
            // an answer to a request this server never sent or no longer waits for: nothing to do with it
            log.debug("dropped a posted response with unknown id {}", message.id());
            response.setStatus(HttpServletResponse.SC_ACCEPTED);
            response.setContentLength(0);
            return true;
        }
        if (message.kind() == PostedMessage.Kind.REQUEST && !answer.heldError() && !answer.isCommitted()
                && answer.getStatus() == HttpServletResponse.SC_OK) {
            log.warn("the MCP transport answered {} (id {}) with nothing; see its log line before this one",
                    message.method(), message.id());
            try {
                JsonRpcErrors.write(response, HttpServletResponse.SC_OK, message.id(), JsonRpcErrors.INTERNAL_ERROR,
                        "The server could not answer " + PostedMessage.shorten(message.method()) + "; its log has the details.");
            } catch (IOException | IllegalStateException gone) {
                log.debug("could not answer {}: {}", message.method(), gone.getMessage());
            }
            return true;
        }
        return false;
    }
}
