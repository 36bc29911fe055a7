package baton.mcp;

import baton.agent.Sampler;
import baton.agent.SamplingReply;
import baton.agent.SamplingRequest;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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

    McpSampler(McpSyncServerExchange exchange) {
        this.exchange = exchange;
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
            if (reply.isCancelled()) {
                Object requestId = SamplingWire.sentId(call);
                task.cancel(true);
                cancelled(requestId);
            }
        });
        return reply;
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
