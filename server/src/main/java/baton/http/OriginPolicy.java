package baton.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The DNS-rebinding check of the MCP transport rules: the Host header must name this server (a
 * loopback name, the bind address or a configured name), and a browser's Origin header must be
 * localhost or a configured origin. Requests without Origin (every non-browser client) pass the
 * Origin check.
 */
final class OriginPolicy {

    private final List<String> hostNames;
    private final boolean anyHost;
    private final List<String> origins;

    OriginPolicy(HttpSettings settings) {
        this.hostNames = settings.hostNames();
        this.anyHost = settings.allowedHosts().contains("*");
        this.origins = settings.allowedOrigins();
    }

    /** Null when the Host header is acceptable, else the sentence to answer with. */
    String checkHost(String hostHeader) {
        if (anyHost) {
            return null;
        }
        if (hostHeader == null || hostHeader.isBlank()) {
            return "The request has no Host header.";
        }
        String name = hostName(hostHeader.strip().toLowerCase(Locale.ROOT));
        return hostNames.contains(name) ? null
                : "Host '" + shorten(hostHeader) + "' is not served here (start Baton with --allowed-host to add it).";
    }

    /** Null when the Origin header is absent or acceptable, else the sentence to answer with. */
    String checkOrigin(String origin) {
        if (origin == null) {
            return null;
        }
        return allowedOrigin(origin) ? null
                : "Origin '" + shorten(origin) + "' may not call this server (start Baton with --allowed-origin to allow it).";
    }

    boolean allowedOrigin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        if (origins.contains(o)) {
            return true;
        }
        try {
            URI uri = new URI(o);
            String scheme = uri.getScheme();
            String host = uri.getHost();
            return ("http".equals(scheme) || "https".equals(scheme)) && host != null
                    && (uri.getPath() == null || uri.getPath().isEmpty())
                    && HttpSettings.LOOPBACK_NAMES.contains(HttpSettings.unbracket(host));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** "example.com:8080" → "example.com"; "[::1]:8080" → "::1". */
    static String hostName(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            return end < 0 ? hostHeader : hostHeader.substring(1, end);
        }
        int colon = hostHeader.lastIndexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }

    private static String shorten(String value) {
        String s = value.strip();
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }
}
