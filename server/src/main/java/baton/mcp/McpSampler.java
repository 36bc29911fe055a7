package baton.mcp;

import baton.agent.Cancellation;
import baton.agent.Sampler;
import baton.agent.SamplingReply;
import baton.agent.SamplingRequest;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Sampler} of one request: {@code sampling/createMessage} to the client that sent it, on
 * the request's exchange (over HTTP the SDK answers on the request's stream). Tools go only to a
 * client that declared {@code sampling.tools}; the wire form is {@link SamplingWire}'s.
 */
final class McpSampler implements Sampler {

    private static final Logger log = LoggerFactory.getLogger(McpSampler.class);
    static final String CANCEL_REASON = "Baton no longer needs this answer: the turn was cancelled or ran out of time.";
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(work -> {
        Thread thread = new Thread(work, "baton-sampling-" + COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final McpSyncServerExchange exchange;
    /** Replies still awaited, with the call token their request went out under. */
    private final Map<CompletableFuture<SamplingReply>, String> pending = new ConcurrentHashMap<>();
    /** Call tokens whose request the client was told is abandoned (once each). */
    private final Set<String> abandoned = ConcurrentHashMap.newKeySet();

    /**
     * The sampler of the request {@code cancellation} belongs to. Its listener is registered before
     * the turn starts, so it runs before the turn's own: a cancelled turn tells the client its
     * sampling request is abandoned before the turn's end is recorded and answered (over HTTP the
     * notification goes on the request's stream, which the answer closes).
     */
    McpSampler(McpSyncServerExchange exchange, Cancellation cancellation) {
        this.exchange = exchange;
        cancellation.onCancel(() -> pending.forEach(this::abandon));
    }

    @Override
    public boolean declared() {
        McpSchema.ClientCapabilities capabilities = exchange.getClientCapabilities();
        return capabilities != null && capabilities.sampling() != null;
    }

    @Override
    public boolean toolsDeclared() {
        return SamplingWire.toolsDeclared(exchange.getClientCapabilities());
    }

    @Override
    public CompletableFuture<SamplingReply> sample(SamplingRequest request) {
        if (request.usesTools() && !toolsDeclared()) {
            // MCP 2025-11-25: servers MUST NOT send tool-enabled sampling requests to such a client
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "this client did not declare tool support for sampling"));
        }
        String call = UUID.randomUUID().toString();
        McpSchema.CreateMessageRequest wire = SamplingWire.request(request, call);
        CompletableFuture<SamplingReply> reply = new CompletableFuture<>();
        pending.put(reply, call);
        Future<?> task = THREADS.submit(() -> {
            try {
                reply.complete(SamplingWire.reply(exchange.createMessage(wire)));
            } catch (Throwable t) {
                reply.completeExceptionally(t);
            } finally {
                SamplingWire.forget(call);
            }
        });
        reply.whenComplete((answer, failure) -> {
            pending.remove(reply);
            if (reply.isCancelled()) {
                Object requestId = SamplingWire.sentId(call);
                task.cancel(true);
                if (abandoned.add(call)) {
                    cancelled(requestId); // the turn stopped waiting by itself (its timeout)
                }
            }
        });
        return reply;
    }

    /**
     * The caller cancelled the turn: first the client hears that its request is abandoned, then
     * the turn stops waiting for the reply (and goes on to record and answer its end).
     */
    private void abandon(CompletableFuture<SamplingReply> reply, String call) {
        if (!reply.isDone() && abandoned.add(call)) {
            cancelled(SamplingWire.sentId(call));
        }
        reply.cancel(true);
    }

    /**
     * Tells the client that the request of {@code requestId} is abandoned
     * (https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/cancellation): a
     * progress notification that {@link SamplingWire} writes as {@code notifications/cancelled}.
     */
    private void cancelled(Object requestId) {
        if (requestId == null) {
            return; // not sent yet: the interrupted call never sends it
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("requestId", requestId);
        params.put("reason", CANCEL_REASON);
        try {
            exchange.progressNotification(new McpSchema.ProgressNotification("baton-sampling-cancel", 0.0, null, null,
                    Map.of(SamplingWire.CANCEL, params)));
        } catch (RuntimeException e) {
            log.debug("notifications/cancelled for sampling request {} not delivered: {}", requestId, e.toString());
        }
    }
}
