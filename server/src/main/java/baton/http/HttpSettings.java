package baton.http;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How Baton serves HTTP: where it listens, the largest request body it reads, and which Host and
 * Origin headers it accepts (the DNS-rebinding check).
 *
 * @param bind the address to listen on; loopback unless told otherwise
 * @param port the TCP port; 0 picks a free one
 * @param maxRequestBytes the largest request body; larger ones get 413
 * @param allowedHosts host names (without port) a request's Host header may name, or {@code *}
 * @param allowedOrigins origins ({@code scheme://host[:port]}) browsers may call from, beside localhost
 */
public record HttpSettings(String bind, int port, long maxRequestBytes, List<String> allowedHosts,
        List<String> allowedOrigins) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** 16 MiB: a large append (many messages of up to 1 MiB each) fits; anything bigger is a mistake. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;
    /** Host names that always work: a request that names loopback cannot be a rebinding attack. */
    static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

    public HttpSettings {
        if (bind == null || bind.isBlank()) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The bind address is empty.");
        }
        if (port < 0 || port > 65535) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The port must be between 0 and 65535, not " + port + ".");
        }
        if (maxRequestBytes < 1024 || maxRequestBytes > Integer.MAX_VALUE) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "The request size limit must be between 1024 and " + Integer.MAX_VALUE + " bytes, not "
                            + maxRequestBytes + ".");
        }
        allowedHosts = normalisedHosts(allowedHosts);
        allowedOrigins = normalisedOrigins(allowedOrigins);
    }

    public static HttpSettings loopback(int port) {
        return new HttpSettings(DEFAULT_BIND, port, DEFAULT_MAX_REQUEST_BYTES, List.of(), List.of());
    }

    /** The host names a Host header may carry: loopback, the bind address when it is a real one, and the configured ones. */
    List<String> hostNames() {
        List<String> names = new ArrayList<>(LOOPBACK_NAMES);
        String b = unbracket(bind.toLowerCase(Locale.ROOT));
        if (!b.equals("0.0.0.0") && !b.equals("::") && !names.contains(b)) {
            names.add(b);
        }
        allowedHosts.stream().filter(h -> !names.contains(h)).forEach(names::add);
        return names;
    }

    private static List<String> normalisedHosts(List<String> hosts) {
        List<String> out = new ArrayList<>();
        for (String h : hosts == null ? List.<String>of() : hosts) {
            String host = unbracket(h.strip().toLowerCase(Locale.ROOT));
            if (host.isEmpty() || host.contains("/") || host.contains(" ")) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "Allowed host '" + h + "' is not a host name (give it without scheme or path, e.g. baton.example.com).");
            }
            out.add(host);
        }
        return List.copyOf(out);
    }

    private static List<String> normalisedOrigins(List<String> origins) {
        List<String> out = new ArrayList<>();
        for (String o : origins == null ? List.<String>of() : origins) {
            String origin = o.strip().toLowerCase(Locale.ROOT);
            while (origin.endsWith("/")) {
                origin = origin.substring(0, origin.length() - 1);
            }
            if (!origin.matches("https?://[^/\\s]+")) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "Allowed origin '" + o + "' must be scheme://host[:port], e.g. https://app.example.com.");
            }
            out.add(origin);
        }
        return List.copyOf(out);
    }

    static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
