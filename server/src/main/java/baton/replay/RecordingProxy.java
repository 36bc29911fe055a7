package baton.replay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * {@code --record}: a proxy on a loopback port between the agent and the real model. Every
 * exchange is passed on unchanged and kept, byte for byte, in a {@link Recording}. The model's base
 * URL becomes the proxy's with the same path.
 */
final class RecordingProxy implements AutoCloseable {

    /** Headers the JDK client sets itself, and Accept-Encoding so the kept body is plain text. */
    private static final Set<String> NOT_PASSED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "accept-encoding", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

    private final HttpServer server;
    private final URI target;
    private final Recording recording;
    private final HttpClient client;

    RecordingProxy(String baseUrl, Recording recording, Duration timeout) throws IOException {
        this.target = URI.create(baseUrl);
        this.recording = recording;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "replay-record");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL the agent uses instead of the real one. */
    String baseUrl() {
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            URI uri = exchange.getRequestURI();
            String port = target.getPort() < 0 ? "" : ":" + target.getPort();
            URI to = URI.create(target.getScheme() + "://" + target.getHost() + port + uri.getRawPath()
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            HttpRequest.Builder request = HttpRequest.newBuilder(to)
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_PASSED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            String contentType = response.headers().firstValue("Content-Type").orElse(null);
            recording.add(new Recording.Exchange(exchange.getRequestMethod(), uri.getRawPath(), body,
                    response.statusCode(), contentType, response.body()));
            if (contentType != null) {
                exchange.getResponseHeaders().put("Content-Type", List.of(contentType));
            }
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
