package baton.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A loopback HTTP proxy that adds {@code Authorization: Bearer <token>} to every request, for
 * clients that cannot send a header of their own (the MCP conformance suite). Each connection
 * carries one request ({@code Connection: close} is forced), so the proxy rewrites only the
 * header block and copies every other byte both ways as it comes: bodies, and server-sent event
 * streams, unchanged. Every other header, {@code Host} and {@code Origin} included, passes as sent.
 */
public final class BearerProxy implements AutoCloseable {

    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final String token;

    public BearerProxy(URI target, String token) throws IOException {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        this.token = token;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "bearer-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's address for the target's URL: same path, the proxy's port. */
    public URI url(URI targetUrl) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + targetUrl.getRawPath());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread connection = new Thread(() -> serve(client), "bearer-proxy-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket upstream = new Socket(target.getAddress(), target.getPort())) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            upstream.getOutputStream().write(rewrite(new String(head, StandardCharsets.ISO_8859_1))
                    .getBytes(StandardCharsets.ISO_8859_1));
            upstream.getOutputStream().flush();
            Thread body = new Thread(() -> copy(in, upstream), "bearer-proxy-body");
            body.setDaemon(true);
            body.start();
            copy(upstream.getInputStream(), client);
        } catch (IOException e) {
            // either side went away
        }
    }

    /** The request line and headers up to the blank line, read byte by byte so no body byte is consumed. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() > MAX_HEADER_BYTES) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private String rewrite(String head) {
        StringBuilder out = new StringBuilder();
        String[] lines = head.split("\r\n");
        out.append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String lower = lines[i].toLowerCase(Locale.ROOT);
            if (lines[i].isEmpty() || lower.startsWith("authorization:") || lower.startsWith("connection:")
                    || lower.startsWith("keep-alive:")) {
                continue;
            }
            out.append(lines[i]).append("\r\n");
        }
        out.append("Authorization: Bearer ").append(token).append("\r\n");
        out.append("Connection: close\r\n\r\n");
        return out.toString();
    }

    private static void copy(InputStream from, Socket to) {
        try {
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // either side went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
