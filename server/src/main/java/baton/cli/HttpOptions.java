package baton.cli;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.http.HttpSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where and how {@code serve --http} listens: each flag, else its {@code BATON_HTTP_*} variable, else the default. */
final class HttpOptions {

    @Option(names = "--port", paramLabel = "PORT",
            description = "TCP port (0 picks a free one); default: BATON_HTTP_PORT, else 8080.")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address to listen on; default: BATON_HTTP_BIND, else 127.0.0.1 (loopback only).")
    String bind;

    @Option(names = "--max-request-bytes", paramLabel = "BYTES",
            description = "Largest request body (larger ones get 413); default: BATON_HTTP_MAX_REQUEST_BYTES, else 16777216.")
    Long maxRequestBytes;

    @Option(names = "--allowed-host", paramLabel = "HOST",
            description = "A host name clients may reach Baton by, besides loopback and the bind address (repeatable; * allows any); default: BATON_HTTP_ALLOWED_HOSTS, comma-separated.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
            description = "A browser origin (scheme://host[:port]) that may call Baton, besides localhost (repeatable); default: BATON_HTTP_ALLOWED_ORIGINS, comma-separated.")
    List<String> allowedOrigins = new ArrayList<>();

    boolean anyGiven() {
        return port != null || bind != null || maxRequestBytes != null || !allowedHosts.isEmpty()
                || !allowedOrigins.isEmpty();
    }

    HttpSettings settings(Map<String, String> env) {
        long p = port != null ? port : Settings.number(env, "BATON_HTTP_PORT", HttpSettings.DEFAULT_PORT);
        if (p < 0 || p > 65535) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The port must be between 0 and 65535, not " + p + ".");
        }
        String b = Settings.first(bind, env.get("BATON_HTTP_BIND"), HttpSettings.DEFAULT_BIND);
        long max = maxRequestBytes != null ? maxRequestBytes
                : Settings.number(env, "BATON_HTTP_MAX_REQUEST_BYTES", HttpSettings.DEFAULT_MAX_REQUEST_BYTES);
        List<String> hosts = !allowedHosts.isEmpty() ? allowedHosts : Settings.list(env, "BATON_HTTP_ALLOWED_HOSTS");
        List<String> origins = !allowedOrigins.isEmpty() ? allowedOrigins
                : Settings.list(env, "BATON_HTTP_ALLOWED_ORIGINS");
        return new HttpSettings(b, (int) p, max, hosts, origins);
    }
}
