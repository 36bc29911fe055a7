package baton.web;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.UUID;

/**
 * Where people reach Baton's pages ({@code --public-url}, e.g. {@code https://baton.example.com}):
 * the base of every link Baton hands out ({@code share_url}), and whether cookies are Secure.
 */
public record PublicUrl(URI base) {

    public PublicUrl {
        if (base == null) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The public URL is empty.");
        }
    }

    /** Parses {@code --public-url}: http(s), a host, no query or fragment; a trailing slash is dropped. */
    public static PublicUrl parse(String text) {
        String t = text == null ? "" : text.strip();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            URI uri = new URI(t);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new URISyntaxException(t, "not an http(s) URL with a host");
            }
            if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
                // pages, links, forms and /mcp are all served at the root
                throw new BatonException(ErrorCode.CONFIGURATION, "The public URL '" + (t.length() > 100
                        ? t.substring(0, 100) + "…" : t) + "' has a path; Baton is served at the root of its host,"
                        + " so give http(s)://host[:port] only, e.g. https://baton.example.com.");
            }
            return new PublicUrl(uri);
        } catch (URISyntaxException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The public URL '" + (t.length() > 100
                    ? t.substring(0, 100) + "…" : t) + "' must be http(s)://host[:port], e.g. https://baton.example.com.");
        }
    }

    public boolean isHttps() {
        return "https".equalsIgnoreCase(base.getScheme());
    }

    /** The host name people use, for the Host check. */
    public String host() {
        return base.getHost().toLowerCase(Locale.ROOT);
    }

    /** {@code scheme://host[:port]}, for the Origin check. */
    public String origin() {
        return base.getScheme().toLowerCase(Locale.ROOT) + "://" + host() + (base.getPort() < 0 ? "" : ":" + base.getPort());
    }

    /** The page of a conversation. */
    public String conversation(UUID id) {
        return base + "/c/" + id;
    }
}
