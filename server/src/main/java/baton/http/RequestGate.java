package baton.http;

import baton.auth.BearerCheck;
import baton.auth.Bearers;
import baton.auth.Tokens;
import baton.conversation.BatonException;
import baton.conversation.Identity;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a request to {@code /mcp} must pass before the MCP transport sees it, in this order:
 * Host and Origin (403), the bearer token (401, 503 when the database cannot say), the media types
 * (415, 406), the body size (413), the session's owner (404), then what {@link MessageGate} checks
 * (one JSON-RPC message, the protocol-version header, the params). Each refusal is one JSON-RPC
 * error whose message is one sentence, without id unless it answers a well-formed request; nothing
 * reaches the store. Errors the transport
 * finds itself (a malformed message, a missing session id) get the same treatment, through
 * {@link TransportResponse}: the client never sees the transport's serialized Java exception.
 * Within a session, requests become cancellable ({@link HttpCancellations}) and SSE answers
 * resumable ({@link ResumableStreams}).
 */
final class RequestGate extends HttpFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);

    /** The request attribute that carries the authenticated {@link Identity} to the transport. */
    static final String IDENTITY = "baton.identity";
    static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";
    private final OriginPolicy origins;
    private final BearerGate bearer;
    private final ScopeStepUp stepUp;
    private final long maxRequestBytes;
    private final SessionOwners sessions;
    private final HttpCancellations cancellations;
    private final ResumableStreams streams;
    private final MessageGate messages;
    private final CallerLimits limits;
    private final ObjectMapper mapper = new ObjectMapper();

    RequestGate(OriginPolicy origins, Tokens tokens, long maxRequestBytes, SessionOwners sessions) {
        this(origins, tokens, maxRequestBytes, sessions, new HttpCancellations(), null);
    }

    RequestGate(OriginPolicy origins, Tokens tokens, long maxRequestBytes, SessionOwners sessions,
            HttpCancellations cancellations, ResumableStreams streams) {
        this(origins, new BearerGate(Bearers.batonTokens(tokens)), maxRequestBytes, sessions, cancellations, streams);
    }

    RequestGate(OriginPolicy origins, BearerGate bearer, long maxRequestBytes, SessionOwners sessions,
            HttpCancellations cancellations, ResumableStreams streams) {
        this(origins, bearer, maxRequestBytes, sessions, cancellations, streams, CallerLimits.none(maxRequestBytes));
    }

    RequestGate(OriginPolicy origins, BearerGate bearer, long maxRequestBytes, SessionOwners sessions,
            HttpCancellations cancellations, ResumableStreams streams, CallerLimits limits) {
        this.limits = limits;
        this.origins = origins;
        this.bearer = bearer;
        this.stepUp = new ScopeStepUp(bearer);
        this.maxRequestBytes = maxRequestBytes;
        this.sessions = sessions;
        this.cancellations = cancellations;
        this.streams = streams;
        this.messages = new MessageGate(maxRequestBytes, limits.bodies());
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            gate(request, response, chain);
        } finally {
            limits.bodies().done(request); // a large body's place in flight is held until its request is done
        }
    }

    private void gate(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String refusal = origins.checkHost(request.getHeader("Host"));
        if (refusal != null) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        String origin = request.getHeader("Origin");
        refusal = origins.checkOrigin(origin);
        if (refusal != null) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        if (origin != null) {
            allowBrowser(response, origin);
        }
        if ("OPTIONS".equals(request.getMethod())) {
            // a browser's preflight carries no credentials; the request that follows will
            response.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
            response.setHeader("Access-Control-Allow-Headers",
                    "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }

        BearerCheck.Accepted caller;
        try {
            caller = bearer.authenticate(request.getHeader("Authorization"), response);
            if (caller == null) {
                return;
            }
        } catch (BatonException e) {
            log.warn("could not check a bearer token: {}", e.getMessage());
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        Identity identity = caller.identity();

        if (!limits.admit(identity, request, response)) {
            return;
        }
        if (!mediaTypesAcceptable(request, response)) {
            return;
        }
        if (request.getContentLengthLong() > maxRequestBytes) {
            refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "The request body has " + request.getContentLengthLong() + " bytes; this server accepts at most "
                            + maxRequestBytes + ".");
            return;
        }
        String owner = owner(identity);
        String sessionId = request.getHeader(SESSION_HEADER);
        if (sessionId != null && !sessionId.isBlank() && !sessions.isOwner(sessionId, owner)) {
            refuse(response, HttpServletResponse.SC_NOT_FOUND, sessionNotFound(sessionId));
            return;
        }

        MessageGate.Admitted admitted = messages.admit(request, response);
        if (admitted == null) {
            return;
        }
        if (caller.oauth() && stepUp.refused(identity, admitted.message(), response)) {
            return;
        }

        request.setAttribute(IDENTITY, identity);
        boolean mayOpen = sessionId == null || sessionId.isBlank();
        if (mayOpen) {
            boolean initialize = admitted.message() != null && admitted.message().isInitialize();
            if (initialize && !limits.reserveSession(owner, response)) {
                return;
            }
            boolean[] opened = {false};
            TransportResponse answer = new TransportResponse(response, id -> {
                sessions.opened(id, owner);
                if (initialize) {
                    limits.sessions().opened(id, owner);
                    opened[0] = true;
                }
            });
            try {
                chain.doFilter(admitted.request(), answer);
            } finally {
                if (initialize && !opened[0]) {
                    limits.sessions().abandoned(owner);
                }
            }
            settle(request, response, admitted, answer, null);
            return;
        }
        inSession(request, response, chain, admitted, sessionId, owner);
    }

    /**
     * A request to an open session: a POST's request becomes cancellable and a posted
     * {@code notifications/cancelled} cancels one (see {@link HttpCancellations}); SSE answers get
     * resumable ids, and a GET with {@code Last-Event-ID} resumes one (see {@link ResumableStreams}).
     */
    private void inSession(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
            MessageGate.Admitted admitted, String sessionId, String owner) throws IOException, ServletException {
        HttpServletRequest forward = admitted.request();
        if (streams != null && "GET".equals(request.getMethod())
                && request.getHeader(ResumableStreams.LAST_EVENT_ID) != null) {
            forward = streams.resume(forward, response, sessionId);
            if (forward == null) {
                return;
            }
        }
        HttpCancellations.Posted posted = null;
        if ("POST".equals(request.getMethod())) {
            posted = cancellations.admit(forward, admitted.message(), sessionId, owner);
            if (posted.cancelNotification()) {
                response.setStatus(HttpServletResponse.SC_ACCEPTED);
                return;
            }
            forward = posted.request();
        }
        HttpServletRequest transported = forward;
        TransportResponse answer = new TransportResponse(response, null,
                streams == null ? null : out -> streams.open(transported, sessionId, out));
        limits.sessions().begin(sessionId);
        try {
            chain.doFilter(transported, answer);
        } finally {
            whenDone(transported, () -> limits.sessions().end(sessionId));
            if (posted != null) {
                cancellations.done(posted);
                if (streams != null) {
                    streams.finish(transported);
                }
            }
        }
        settle(request, response, admitted, answer, sessionId);
    }

    /** Runs {@code action} when {@code request} is done: now, or when its async answer (an SSE stream) ends. */
    private static void whenDone(HttpServletRequest request, Runnable action) {
        if (!request.isAsyncStarted()) {
            action.run();
            return;
        }
        try {
            request.getAsyncContext().addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    action.run();
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                }

                @Override
                public void onError(AsyncEvent event) {
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                }
            });
        } catch (IllegalStateException alreadyDone) {
            action.run();
        }
    }

    /** After the transport: what {@link MessageGate} puts right, a held error, a session ended. */
    private void settle(HttpServletRequest request, HttpServletResponse response, MessageGate.Admitted admitted,
            TransportResponse answer, String sessionId) throws IOException {
        if (messages.settle(admitted, response, answer)) {
            return;
        }
        if (answer.heldError()) {
            String sentence = transportRefusal(request, answer);
            boolean invalidMessage = answer.heldStatus() == HttpServletResponse.SC_BAD_REQUEST
                    && !answer.heldText().contains("Session ID required");
            JsonRpcErrors.write(response, answer.heldStatus(), null,
                    invalidMessage ? JsonRpcErrors.INVALID_REQUEST : JsonRpcErrors.REFUSED, sentence);
        } else if (sessionId != null && "DELETE".equals(request.getMethod())
                && answer.getStatus() == HttpServletResponse.SC_OK) {
            sessions.closed(sessionId);
            limits.sessions().closed(sessionId);
            if (streams != null) {
                streams.closed(sessionId);
            }
        }
    }

    /**
     * One sentence for an error the transport itself found, in place of what it wrote (a
     * serialized Java exception with its stack trace, or an HTML page).
     */
    private String transportRefusal(HttpServletRequest request, TransportResponse answer) {
        String said = answer.heldText();
        String sessionId = request.getHeader(SESSION_HEADER);
        return switch (answer.heldStatus()) {
            case HttpServletResponse.SC_BAD_REQUEST -> said.contains("Session ID required")
                    ? "This request needs the Mcp-Session-Id header from the initialize answer; send initialize first."
                    : "The request body is not a valid JSON-RPC 2.0 message.";
            case HttpServletResponse.SC_NOT_FOUND -> sessionId == null || sessionId.isBlank()
                    ? "Nothing is served at " + shorten(request.getRequestURI()) + "."
                    : sessionNotFound(sessionId);
            case HttpServletResponse.SC_METHOD_NOT_ALLOWED ->
                    "This endpoint does not answer " + shorten(request.getMethod()) + ".";
            case HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE ->
                    "The request body is over the " + maxRequestBytes + " bytes this server accepts.";
            case HttpServletResponse.SC_SERVICE_UNAVAILABLE ->
                    "This server is shutting down; connect again, to another instance if there is one.";
            default -> {
                log.warn("the MCP transport answered {} with HTTP {}: {}", request.getMethod(),
                        answer.heldStatus(), shorten(messageOf(said)));
                yield "The server could not handle this request (HTTP " + answer.heldStatus()
                        + "); its log has the details.";
            }
        };
    }

    /** POST must carry JSON and accept JSON and SSE; GET opens an SSE stream, so it must accept one. */
    private boolean mediaTypesAcceptable(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String accept = lower(request.getHeader("Accept"));
        switch (request.getMethod()) {
            case "POST" -> {
                String type = lower(request.getContentType());
                if (!type.equals(JSON) && !type.startsWith(JSON + ";")) {
                    refuse(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
                            "The request body must be application/json, not '"
                                    + (type.isEmpty() ? "(none)" : shorten(type)) + "'.");
                    return false;
                }
                if (!accept.contains(JSON) || !accept.contains(EVENT_STREAM)) {
                    refuse(response, HttpServletResponse.SC_NOT_ACCEPTABLE,
                            "The Accept header must list both application/json and text/event-stream.");
                    return false;
                }
            }
            case "GET" -> {
                if (!accept.contains(EVENT_STREAM)) {
                    refuse(response, HttpServletResponse.SC_NOT_ACCEPTABLE,
                            "The Accept header must list text/event-stream.");
                    return false;
                }
            }
            default -> {
            }
        }
        return true;
    }

    private static void allowBrowser(HttpServletResponse response, String origin) {
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.addHeader("Vary", "Origin");
        response.setHeader("Access-Control-Expose-Headers", "Mcp-Session-Id, WWW-Authenticate");
    }

    /** A session belongs to one user in one project. */
    private static String owner(Identity identity) {
        return identity.userId() + '\n' + identity.projectId();
    }

    /** Answers with one sentence in a JSON-RPC error without id. */
    void refuse(HttpServletResponse response, int status, String sentence) throws IOException {
        JsonRpcErrors.write(response, status, null, JsonRpcErrors.REFUSED, sentence);
    }

    /** The same answer for a session this instance never opened, another caller's, or one the transport dropped. */
    private static String sessionNotFound(String sessionId) {
        return "Session " + shorten(sessionId) + " was not found; start a new one with initialize.";
    }

    /** The message of an error the transport wrote as a serialized exception, else the text itself. */
    private String messageOf(String said) {
        try {
            return mapper.readTree(said).path("message").asText(said);
        } catch (IOException notJson) {
            return said.replaceAll("\\s+", " ");
        }
    }

    private static String lower(String value) {
        return value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    }

    static String shorten(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "…";
    }
}
