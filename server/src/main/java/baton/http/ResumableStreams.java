package baton.http;

import baton.agent.Cancellation;
import baton.mcp.RequestContext;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSE streams of every session on this instance, kept so that a client can resume one
 * (MCP 2025-11-25, Streamable HTTP, "Resumability and Redelivery"): a GET with
 * {@code Last-Event-ID} gets the events it missed of the stream that id names, then the rest
 * of that stream. Every open stream also gets an SSE comment each {@link #HEARTBEAT}, which is how
 * this server finds out that a client went away (Jetty reports a vanished client only when a
 * write fails); an answer stream left without a connection for {@link #GRACE} cancels the
 * request behind it, unless a resuming GET took it over in time.
 */
final class ResumableStreams implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResumableStreams.class);
    static final String LAST_EVENT_ID = "Last-Event-ID";
    /** The protocol version whose clients get a priming event; no later one is supported yet. */
    static final String PRIMED_FROM = "2025-11-25";
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** How long an answer stream may be without a connection before its request is cancelled. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** How long a finished stream stays resumable. */
    static final Duration KEEP_FINISHED = Duration.ofMinutes(2);
    static final int MAX_STREAMS_PER_SESSION = 16;
    /** The request attribute carrying the events a resumed listening stream replays first. */
    private static final String REPLAY = "baton.replay";
    /** The request attribute carrying the stream a request opened. */
    private static final String STREAM = "baton.sse-stream";

    private final Map<String, Map<String, SseStream>> sessions;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "baton-sse-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private final SseStream.Watcher watcher = new SseStream.Watcher() {
        @Override
        public void disconnected(SseStream stream) {
            Cancellation cancellation = cancellationOf(stream);
            if (cancellation != null) {
                timer.schedule(() -> {
                    if (stream.detached() && cancellation.cancel("the client disconnected")) {
                        log.info("SSE stream {} was not resumed within {} ms; its request is cancelled", stream.id(),
                                GRACE.toMillis());
                    }
                }, GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void resumed(SseStream stream) {
            log.info("SSE stream {} was resumed", stream.id());
        }
    };
    private final Map<SseStream, Cancellation> cancellations = Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private final long idleListeningNanos;

    ResumableStreams(int maxSessions) {
        this(maxSessions, Duration.ZERO);
    }

    /** @param idleListening how long a listening stream (GET) may carry only keep-alives before it is ended; zero: never */
    ResumableStreams(int maxSessions, Duration idleListening) {
        this.idleListeningNanos = idleListening.toNanos();
        this.sessions = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, SseStream>> eldest) {
                return size() > maxSessions;
            }
        });
        timer.scheduleWithFixedDelay(this::sweep, KEEP_FINISHED.toSeconds(), KEEP_FINISHED.toSeconds() / 4,
                TimeUnit.SECONDS);
    }

    /** Drops the streams that finished longer than {@link #KEEP_FINISHED} ago, and sessions left without any. */
    private void sweep() {
        long now = System.nanoTime();
        synchronized (sessions) {
            for (Iterator<Map<String, SseStream>> it = sessions.values().iterator(); it.hasNext(); ) {
                Map<String, SseStream> streams = it.next();
                synchronized (streams) {
                    streams.values().removeIf(s -> s.finished() && now - s.finishedAt() > KEEP_FINISHED.toNanos());
                    if (streams.isEmpty()) {
                        it.remove();
                    }
                }
            }
        }
    }

    /**
     * The writer for an SSE answer the transport starts on {@code out}: a new stream of the
     * session, primed with its first id, watched by heartbeats; a resumed listening stream first
     * replays what its client missed.
     */
    PrintWriter open(HttpServletRequest request, String sessionId, PrintWriter out) {
        boolean listening = "GET".equals(request.getMethod());
        SseStream.OpeningSink sink = new SseStream.OpeningSink(out);
        SseStream stream = new SseStream(UUID.randomUUID().toString().replace("-", "").substring(0, 16), listening,
                sink, watcher);
        if (request.getAttribute(RequestContext.CANCELLATION) instanceof Cancellation c && !listening) {
            cancellations.put(stream, c);
        }
        add(sessionId, stream);
        request.setAttribute(STREAM, stream);
        if (request.getAttribute(REPLAY) instanceof List<?> missed) {
            missed.forEach(text -> sink.write((String) text));
        }
        if (PRIMED_FROM.equals(request.getHeader("MCP-Protocol-Version"))) {
            // The priming event came with 2025-11-25; older clients read its empty data as a broken
            // message, so they do not get it (as the reference SDKs decided).
            stream.prime();
        }
        if (request.isAsyncStarted()) {
            watch(request.getAsyncContext(), stream, sink, false);
            if (listening) {
                sink.completes(request.getAsyncContext());
            }
        }
        ScheduledFuture<?>[] beat = new ScheduledFuture<?>[1];
        beat[0] = timer.scheduleWithFixedDelay(() -> {
            if (!stream.heartbeat(idleListeningNanos)) {
                beat[0].cancel(false);
            }
        }, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        return stream.writer();
    }

    /**
     * Serves a GET that resumes a stream with {@code Last-Event-ID}.
     *
     * @return the request to hand on to the transport (a resumed listening stream goes on as a
     *     new one, after the replay), or null when it was answered here
     */
    HttpServletRequest resume(HttpServletRequest request, HttpServletResponse response, String sessionId)
            throws IOException {
        String lastEventId = request.getHeader(LAST_EVENT_ID).strip();
        int dash = lastEventId.lastIndexOf('-');
        long seq = -1;
        try {
            seq = dash < 0 ? -1 : Long.parseLong(lastEventId.substring(dash + 1));
        } catch (NumberFormatException e) {
            // answered below
        }
        SseStream stream = seq < 0 ? null : stream(sessionId, lastEventId.substring(0, dash));
        if (stream == null) {
            // Not an error the client could act on (clients such as the Java SDK's drop the whole session on
            // a 4xx here): it gets a new listening stream, with nothing to replay.
            log.info("Last-Event-ID {} names no stream of session {} that is kept; a new stream is opened",
                    RequestGate.shorten(lastEventId), RequestGate.shorten(sessionId));
            return new WithoutLastEventId(request);
        }
        if (stream.listening()) {
            request.setAttribute(REPLAY, stream.missedSince(seq));
            return new WithoutLastEventId(request);
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-cache");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        PrintWriter out = response.getWriter();
        SseStream.Sink sink = new SseStream.Sink() {
            @Override
            public boolean write(String text) {
                out.write(text);
                out.flush();
                return !out.checkError();
            }

            @Override
            public void end() {
                try {
                    async.complete();
                } catch (IllegalStateException alreadyDone) {
                    // the connection ended first
                }
            }
        };
        watch(async, stream, sink, true);
        if (!stream.resume(seq, sink)) {
            log.info("SSE stream {} resumed after event {}, but older events were dropped already", stream.id(), seq);
        }
        return null;
    }

    /** The transport is done with this request: the answer stream it opened, if any, is over. */
    void finish(HttpServletRequest request) {
        if (request.getAttribute(STREAM) instanceof SseStream stream && !stream.listening()) {
            stream.finish();
        }
    }

    /** The session ended: its streams are dropped. */
    void closed(String sessionId) {
        sessions.remove(sessionId);
    }

    private void watch(AsyncContext async, SseStream stream, SseStream.Sink sink, boolean resumer) {
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                // An answer stream ends with its answer, or when the transport is done with the POST
                // (see finish): the container may complete a failed connection while the turn goes on.
                if (!resumer && stream.listening()) {
                    stream.finish();
                }
            }

            @Override
            public void onTimeout(AsyncEvent event) {
            }

            @Override
            public void onError(AsyncEvent event) {
                log.info("the container reports the connection of SSE stream {} failed: {}", stream.id(),
                        String.valueOf(event.getThrowable()));
                stream.connectionFailed(sink);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
    }

    private Cancellation cancellationOf(SseStream stream) {
        return cancellations.get(stream);
    }

    private void add(String sessionId, SseStream stream) {
        synchronized (sessions) { // the sweep empties and drops sessions under this lock
            add(sessions.computeIfAbsent(sessionId, s -> new LinkedHashMap<>()), stream);
        }
    }

    private static void add(Map<String, SseStream> streams, SseStream stream) {
        synchronized (streams) {
            long now = System.nanoTime();
            for (Iterator<SseStream> it = streams.values().iterator(); it.hasNext(); ) {
                SseStream old = it.next();
                boolean stale = old.finished() && now - old.finishedAt() > KEEP_FINISHED.toNanos();
                if (stale || streams.size() >= MAX_STREAMS_PER_SESSION && old.finished()) {
                    it.remove();
                }
            }
            if (streams.size() >= MAX_STREAMS_PER_SESSION) {
                streams.remove(streams.keySet().iterator().next());
            }
            streams.put(stream.id(), stream);
        }
    }

    private SseStream stream(String sessionId, String streamId) {
        Map<String, SseStream> streams = sessions.get(sessionId);
        if (streams == null) {
            return null;
        }
        synchronized (streams) {
            return streams.get(streamId);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** A resumed listening stream, handed to the transport as a new one. */
    private static final class WithoutLastEventId extends HttpServletRequestWrapper {
        WithoutLastEventId(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return LAST_EVENT_ID.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return LAST_EVENT_ID.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }
    }
}
