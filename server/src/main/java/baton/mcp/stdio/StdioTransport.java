package baton.mcp.stdio;

import baton.agent.Cancellation;
import baton.config.StartupTrace;
import baton.conversation.Quote;
import baton.mcp.RequestContext;
import baton.mcp.SubscriptionsListening;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * MCP over stdin and stdout for the one client that started Baton
 * (<a href="https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#stdio">spec</a>):
 * one JSON-RPC message per line each way.
 *
 * <ul>
 *   <li>Every line is read, whatever came before it: a malformed one is answered with a JSON-RPC
 *       error (see {@link Inbound}), a blank one is ignored, a line over the size limit is skipped
 *       to its newline and answered.</li>
 *   <li>Every request gets exactly one answer, written whole and flushed under one lock
 *       ({@link Outbound}), from whichever thread produced it.</li>
 *   <li>Every request runs with its own {@link Cancellation} in its transport context
 *       ({@link RequestContext#CANCELLATION}); {@code notifications/cancelled} sets it, and the
 *       answer of a request the client cancelled is not written (the spec's "SHOULD NOT respond").</li>
 *   <li>A {@code ping} before the session is initialized is answered here (the spec allows pings
 *       then; the SDK holds every request until {@code notifications/initialized}).</li>
 *   <li>Started with {@link #startEarly}, it reads stdin before the server is built: it answers
 *       {@code initialize} itself with what the server would answer, hands the request on to the
 *       session once the session exists (so the session is initialized as always) and drops the
 *       session's own answer; every other message waits for the session.</li>
 *   <li>When stdin ends, every running request is cancelled (reason "stdin closed"); the answers
 *       that come within {@code grace} are written, the rest are answered with an error, and then
 *       {@link #awaitEnd()} returns, so that the process can end.</li>
 * </ul>
 */
public final class StdioTransport implements McpServerTransportProvider, SubscriptionsListening {

    private static final Logger log = LoggerFactory.getLogger(StdioTransport.class);

    /** The largest message read from stdin, in bytes. */
    public static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    /** How long answers are awaited once stdin ends: the process ends within a second of it. */
    public static final Duration DEFAULT_GRACE = Duration.ofMillis(500);

    /** The longest the end of stdin waits for the start-up to finish before the grace begins. */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(5);

    /** The longest a subscription waits for the server to hear changes (the database opening). */
    static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);

    static final String CANCELLED_BY_CALLER = "cancelled by the caller";
    static final String STDIN_CLOSED = "stdin closed";

    /** A request that has not been answered yet. */
    private record Running(Object id, String method, Cancellation cancellation, boolean answeredEarly) {
    }

    private final JacksonMcpJsonMapper jsonMapper;
    private final InputStream in;
    private final Inbound inbound;
    private final Outbound outbound;
    private final int maxLineBytes;
    private final Duration grace;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile McpServerSession session;
    private final CountDownLatch sessionCreated = new CountDownLatch(1);
    private volatile Function<String, McpSchema.InitializeResult> earlyAnswer;
    private boolean reading;
    private volatile CompletableFuture<?> startedUp = CompletableFuture.completedFuture(null);
    private volatile CompletableFuture<?> subscriptionsHeard = CompletableFuture.completedFuture(null);
    private volatile boolean initialized;

    public StdioTransport(JacksonMcpJsonMapper jsonMapper, InputStream in, OutputStream out, int maxLineBytes,
            Duration grace) {
        this.jsonMapper = jsonMapper;
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.grace = grace;
        this.inbound = new Inbound(jsonMapper.getObjectMapper(), maxLineBytes);
        this.outbound = new Outbound(jsonMapper.getObjectMapper(), out);
    }

    /**
     * Starts reading stdin now, before the server is built on this transport: {@code initialize} is
     * answered with {@code answer} (given the protocol version the client asked for, it must return
     * what the server will answer), every other message waits until the server's session exists.
     */
    public void startEarly(Function<String, McpSchema.InitializeResult> answer) {
        this.earlyAnswer = answer;
        startReading();
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory sessionFactory) {
        this.session = sessionFactory.create(new SessionTransport());
        sessionCreated.countDown();
        startReading();
    }

    /**
     * {@code resources/subscribe} waits (at most {@link #SUBSCRIBE_WAIT}) until {@code listening}
     * completes, so that a subscription answered is one whose changes are heard.
     */
    @Override
    public void subscriptionsListening(CompletionStage<?> listening) {
        this.subscriptionsHeard = listening.toCompletableFuture();
    }

    /**
     * What the requests need that is still being started (the database, opening in the background):
     * when stdin ends with requests running, the grace begins once it is done (or failed), waiting
     * for it at most {@link #STARTUP_WAIT}. Reading starts before the start-up ends, so a client
     * that writes its requests and closes stdin at once is not refused for a start-up still going on.
     */
    public void graceAfter(CompletionStage<?> started) {
        this.startedUp = started.toCompletableFuture();
    }

    private synchronized void startReading() {
        if (reading) {
            return;
        }
        reading = true;
        Thread reader = new Thread(this::readAll, "baton-stdio-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until stdin has ended and the answers owed were written or given up. */
    public void awaitEnd() throws InterruptedException {
        ended.await();
    }

    /** {@link #awaitEnd()} for at most the given time; true when it ended. */
    public boolean awaitEnd(long time, TimeUnit unit) throws InterruptedException {
        return ended.await(time, unit);
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        McpServerSession s = session;
        return s == null ? Mono.empty() : s.sendNotification(method, params);
    }

    /** The one session's id names this transport's client: a notification for it goes out, any other is dropped. */
    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        McpServerSession s = session;
        return s == null || !s.getId().equals(sessionId) ? Mono.empty() : s.sendNotification(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        McpServerSession s = session;
        return s == null ? Mono.empty() : s.closeGracefully();
    }

    private void readAll() {
        LineReader lines = new LineReader(in, maxLineBytes);
        try {
            for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                try {
                    handle(line);
                } catch (RuntimeException e) {
                    log.error("a line from stdin could not be handled", e);
                }
            }
        } catch (IOException e) {
            log.debug("stdin could not be read: {}", e.getMessage());
        } finally {
            finish();
        }
    }

    private void handle(LineReader.Line line) {
        Inbound.Read read = inbound.read(line);
        if (read instanceof Inbound.Rejected rejected) {
            log.debug("a malformed message: {}", rejected.answer().error().message());
            outbound.write(rejected.answer());
        } else if (read instanceof Inbound.Ignored ignored) {
            log.debug("ignored {}", ignored.why());
        } else if (read instanceof Inbound.Message m) {
            if (m.message() instanceof McpSchema.JSONRPCRequest request) {
                request(request);
            } else if (m.message() instanceof McpSchema.JSONRPCNotification notification) {
                notification(notification);
            } else {
                dispatch(m.message(), Cancellation.none());
            }
        }
    }

    private void request(McpSchema.JSONRPCRequest request) {
        if (!initialized && McpSchema.METHOD_PING.equals(request.method())) {
            outbound.write(JSONRPCResponse.result(request.id(), Map.of()));
            return;
        }
        McpSchema.InitializeResult early = earlyAnswer(request);
        Running run = new Running(request.id(), request.method(), new Cancellation(), early != null);
        if (running.putIfAbsent(Inbound.key(request.id()), run) != null) {
            outbound.write(Inbound.error(request.id(), McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: this id is already used by a request still running."));
            return;
        }
        if (early != null) {
            Map<String, Object> json = EarlyInitialize.result(early);
            outbound.write(json == null ? JSONRPCResponse.result(request.id(), early)
                    : EarlyInitialize.response(request.id(), json));
            StartupTrace.mark("initialize answered");
        }
        CompletableFuture<?> heard = subscriptionsHeard;
        if (McpSchema.METHOD_RESOURCES_SUBSCRIBE.equals(request.method()) && !heard.isDone()) {
            // after the server hears changes (or the wait ran out); the lines after it are read meanwhile
            heard.thenApply(v -> Boolean.TRUE).completeOnTimeout(Boolean.FALSE, SUBSCRIBE_WAIT.toMillis(),
                    TimeUnit.MILLISECONDS).thenAccept(listening -> {
                        if (!listening) {
                            log.warn("resources/subscribe answered before the server hears changes");
                        }
                        dispatch(request, run.cancellation());
                    });
            return;
        }
        dispatch(request, run.cancellation());
    }

    /**
     * The answer to an {@code initialize} that comes before the session exists, when this transport
     * was {@link #startEarly started early} and the params are what the SDK reads without fail (it
     * reads them the same way; plain params are known to be without Jackson: {@link EarlyInitialize});
     * null when the session is to answer.
     */
    private McpSchema.InitializeResult earlyAnswer(McpSchema.JSONRPCRequest request) {
        Function<String, McpSchema.InitializeResult> answer = earlyAnswer;
        if (answer == null || session != null || !McpSchema.METHOD_INITIALIZE.equals(request.method())) {
            return null;
        }
        if (EarlyInitialize.plainParams(request.params())) {
            return answer.apply((String) ((Map<?, ?>) request.params()).get("protocolVersion"));
        }
        McpSchema.InitializeRequest params;
        try {
            params = jsonMapper.convertValue(request.params(), new TypeRef<McpSchema.InitializeRequest>() {
            });
        } catch (RuntimeException e) {
            return null; // the session answers with its error
        }
        if (params == null || params.protocolVersion() == null) {
            return null;
        }
        return answer.apply(params.protocolVersion());
    }

    private void notification(McpSchema.JSONRPCNotification notification) {
        if ("notifications/cancelled".equals(notification.method())) {
            cancelled(notification.params());
            return;
        }
        if (McpSchema.METHOD_NOTIFICATION_INITIALIZED.equals(notification.method())) {
            initialized = true;
        }
        dispatch(notification, Cancellation.none());
    }

    /** {@code notifications/cancelled}: an unknown or finished request id is ignored, as the spec asks. */
    private void cancelled(Object params) {
        Object requestId = params instanceof Map<?, ?> map ? map.get("requestId") : null;
        if (!(requestId instanceof String || requestId instanceof Number)) {
            log.debug("notifications/cancelled without a requestId");
            return;
        }
        Running run = running.get(Inbound.key(requestId));
        if (run == null || McpSchema.METHOD_INITIALIZE.equals(run.method())) {
            return; // finished already, never sent, or initialize (which the spec says is never cancelled)
        }
        if (run.cancellation().cancel(CANCELLED_BY_CALLER)) {
            log.info("{} (request {}) cancelled by the caller", run.method(), requestId);
        }
    }

    private void dispatch(McpSchema.JSONRPCMessage message, Cancellation cancellation) {
        McpServerSession session = awaitSession();
        McpTransportContext context = McpTransportContext.create(Map.of(RequestContext.CANCELLATION, cancellation));
        session.handle(message)
                .contextWrite(ctx -> ctx.put(McpTransportContext.KEY, context))
                .subscribe(null, error -> {
                    log.error("a message could not be handled", error);
                    if (message instanceof McpSchema.JSONRPCRequest request) {
                        answer(JSONRPCResponse.error(request.id(), new JSONRPCResponse.JSONRPCError(
                                McpSchema.ErrorCodes.INTERNAL_ERROR, "An internal error occurred while answering "
                                        + Quote.of(request.method()) + ".", null)));
                    }
                });
    }

    /** The session, once the server built on this transport has made it. */
    private McpServerSession awaitSession() {
        boolean interrupted = false;
        while (true) {
            try {
                sessionCreated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return session;
    }

    /** Writes the answer of a running request, unless it was answered already or the caller cancelled it. */
    private void answer(JSONRPCResponse response) {
        Running run = running.remove(Inbound.key(response.id()));
        if (run == null) {
            log.debug("an answer to request {}, which was answered already", response.id());
            return;
        }
        if (run.answeredEarly()) {
            log.debug("the session's answer to initialize {} is dropped: it was answered early", response.id());
        } else if (run.cancellation().isCancelled() && CANCELLED_BY_CALLER.equals(run.cancellation().reason())) {
            log.debug("the answer to request {} is not written: the caller cancelled it", response.id());
        } else {
            outbound.write(Outbound.clean(response, run.method()));
        }
        synchronized (running) {
            running.notifyAll();
        }
    }

    /**
     * Stdin ended: cancel what runs, write what is answered in time, answer the rest, end. Before
     * {@code notifications/initialized} the SDK holds every request but {@code initialize}, so
     * only that one is waited for then.
     */
    private void finish() {
        CompletableFuture<?> started = startedUp;
        if (!started.isDone() && running.values().stream().anyMatch(this::canAnswer)) {
            log.info("stdin closed while starting: waiting at most {} ms for the start-up", STARTUP_WAIT.toMillis());
            try {
                started.get(STARTUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("the start-up did not finish: {}", e.getMessage());
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        log.info("stdin closed with {} request(s) running", running.size());
        running.values().forEach(run -> run.cancellation().cancel(STDIN_CLOSED));
        synchronized (running) {
            while (running.values().stream().anyMatch(this::canAnswer)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    running.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (String key : running.keySet()) {
            Running run = running.remove(key);
            if (run != null && !run.answeredEarly() && !CANCELLED_BY_CALLER.equals(run.cancellation().reason())) {
                log.info("{} (request {}) not answered before stdin closed", run.method(), run.id());
                outbound.write(Inbound.error(run.id(), McpSchema.ErrorCodes.INTERNAL_ERROR,
                        "Baton stopped before answering " + Quote.of(run.method()) + ": stdin was closed."));
            }
        }
        ended.countDown();
    }

    private boolean canAnswer(Running run) {
        return !run.answeredEarly() && (initialized || McpSchema.METHOD_INITIALIZE.equals(run.method()));
    }

    /** The one session's side of the transport. */
    private final class SessionTransport implements McpServerTransport {

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromRunnable(() -> {
                if (message instanceof JSONRPCResponse response) {
                    answer(response);
                } else {
                    outbound.write(message);
                }
            });
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return jsonMapper.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.empty();
        }
    }
}
