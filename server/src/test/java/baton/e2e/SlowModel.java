package baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible chat completions endpoint on loopback for the suites of clients that are not
 * written in Java: it answers "echo: &lt;the last message&gt;" at once, or, when the last message
 * contains {@code [slow]}, after {@value #SLOW_SECONDS} s ({@code [slow:N]}: after N s), so a client has a
 * running turn to cancel or to reconnect to.
 */
public final class SlowModel implements AutoCloseable {

    static final int SLOW_SECONDS = 30;
    private static final Pattern SLOW = Pattern.compile("\\[slow(?::(\\d{1,3}))?]");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "slow-model");
        t.setDaemon(true);
        return t;
    });

    public SlowModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/v1/chat/completions", exchange -> {
            try (exchange) {
                JsonNode request = JSON.readTree(exchange.getRequestBody());
                JsonNode messages = request.path("messages");
                String last = messages.path(messages.size() - 1).path("content").asText("");
                var slow = SLOW.matcher(last);
                if (slow.find()) {
                    Thread.sleep(slow.group(1) == null ? SLOW_SECONDS * 1000L : Long.parseLong(slow.group(1)) * 1000L);
                }
                ObjectNode answer = JSON.createObjectNode();
                answer.put("id", "chatcmpl-slow-model").put("object", "chat.completion").put("created", 1795000000)
                        .put("model", request.path("model").asText("slow-model"));
                ObjectNode choice = answer.putArray("choices").addObject();
                choice.put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", "echo: " + last);
                answer.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
                byte[] body = JSON.writeValueAsBytes(answer);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the caller went away (a cancelled turn)
            }
        });
        server.start();
    }

    /** The base URL for BATON_MODEL_BASE_URL, ending in /v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
