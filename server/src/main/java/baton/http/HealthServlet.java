package baton.http;

import baton.conversation.BatonException;
import baton.db.Database;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /healthz}: 200 when the database answers a query, 503 with the reason when it does
 * not (within a second: a probe that waits longer has given up). Needs no token (load balancers and orchestrators call it) and tells nothing about the data.
 */
final class HealthServlet extends HttpServlet {

    /** Health probes time out after a second or two; the answer comes before. */
    static final Duration ANSWER_WITHIN = Duration.ofMillis(900);
    /**
     * Checks run here so a request can stop waiting for one; while the database hangs, at most
     * eight checks wait on it (each at most the pool's 5 s) and further probes are answered 503 at
     * once instead of piling up threads. A healthy check takes a millisecond, so eight at once is
     * far more than probes ever send.
     */
    private static final ExecutorService CHECKS = new ThreadPoolExecutor(0, 8, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "baton-health-check");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());

    private final transient Database database;

    HealthServlet(Database database) {
        this.database = database;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String body;
        try {
            CompletableFuture.supplyAsync(this::selectOne, CHECKS).get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            response.setStatus(HttpServletResponse.SC_OK);
            body = "{\"status\":\"ok\"}";
        } catch (ExecutionException e) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            String reason = e.getCause() instanceof BatonException be ? be.getMessage()
                    : "The database could not be checked.";
            body = "{\"status\":\"unavailable\",\"error\":" + quote(reason) + "}";
        } catch (TimeoutException | RejectedExecutionException e) {
            // The pool waits up to 5 s for a connection; a probe must answer sooner than that.
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            body = "{\"status\":\"unavailable\",\"error\":" + quote("The database is unavailable: it did not answer within "
                    + ANSWER_WITHIN.toMillis() + " ms.") + "}";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            body = "{\"status\":\"unavailable\"}";
        }
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private int selectOne() {
        return database.read("checking health", c -> {
            try (PreparedStatement ps = c.prepareStatement("select 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private static String quote(String s) {
        return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
    }
}
