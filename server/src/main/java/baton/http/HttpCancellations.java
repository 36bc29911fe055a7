package baton.http;

import baton.agent.Cancellation;
import baton.mcp.RequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
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
     * Reads a POST to a session: a request gets its cancellation (registered under the session
     * and its JSON-RPC id); a {@code notifications/cancelled} cancels the request it names.
     */
    Posted admit(HttpServletRequest request, String sessionId, String owner, long maxBytes) throws IOException {
        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        HttpServletRequest replay = new ReplayedBody(request, body);
        JsonNode message = body.length > maxBytes ? null : parse(body);
        if (message == null || !message.isObject() || !message.path("method").isTextual()) {
            return new Posted(replay, false, null, null);
        }
        String method = message.get("method").asText();
        JsonNode id = message.get("id");
        if (CANCELLED.equals(method) && (id == null || id.isNull())) {
            JsonNode requestId = message.path("params").get("requestId");
            if (requestId != null && (requestId.isTextual() || requestId.isIntegralNumber())) {
                cancel(sessionId, owner, requestId.toString(), message.path("params").path("reason").asText(""));
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

    private JsonNode parse(byte[] body) {
        try {
            return mapper.readTree(body);
        } catch (IOException | RuntimeException notJson) {
            return null; // the transport answers it
        }
    }

    /** The request with its body read here, given again to whoever reads it next. */
    private static final class ReplayedBody extends HttpServletRequestWrapper {
        private final InputStream body;
        private ServletInputStream stream;
        private BufferedReader reader;

        ReplayedBody(HttpServletRequest request, byte[] read) throws IOException {
            super(request);
            this.body = new SequenceInputStream(new ByteArrayInputStream(read), request.getInputStream());
        }

        @Override
        public ServletInputStream getInputStream() {
            if (stream == null) {
                stream = new ServletInputStream() {
                    private boolean finished;

                    @Override
                    public int read() throws IOException {
                        int b = body.read();
                        finished = b < 0;
                        return b;
                    }

                    @Override
                    public int read(byte[] bytes, int offset, int length) throws IOException {
                        int n = body.read(bytes, offset, length);
                        finished = n < 0;
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return finished;
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        throw new IllegalStateException("the body is read synchronously");
                    }
                };
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() {
            if (reader == null) {
                String encoding = getCharacterEncoding();
                Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
                reader = new BufferedReader(new InputStreamReader(getInputStream(), charset));
            }
            return reader;
        }
    }
}
