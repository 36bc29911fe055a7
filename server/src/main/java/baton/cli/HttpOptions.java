package baton.cli;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.http.HttpSettings;
import java.util.ArrayList;
import java.util.Arrays;
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
        int p = port != null ? port : number(env, "BATON_HTTP_PORT", HttpSettings.DEFAULT_PORT);
        String b = bind != null ? bind : orDefault(env.get("BATON_HTTP_BIND"), HttpSettings.DEFAULT_BIND);
        long max = maxRequestBytes != null ? maxRequestBytes
                : number(env, "BATON_HTTP_MAX_REQUEST_BYTES", HttpSettings.DEFAULT_MAX_REQUEST_BYTES);
        List<String> hosts = !allowedHosts.isEmpty() ? allowedHosts : list(env.get("BATON_HTTP_ALLOWED_HOSTS"));
        List<String> origins = !allowedOrigins.isEmpty() ? allowedOrigins : list(env.get("BATON_HTTP_ALLOWED_ORIGINS"));
        return new HttpSettings(b.strip(), p, max, hosts, origins);
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, name + " must be a whole number, not '" + value + "'.");
        }
    }

    private static int number(Map<String, String> env, String name, int fallback) {
        long n = number(env, name, (long) fallback);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new BatonException(ErrorCode.CONFIGURATION, name + " is out of range: " + n + ".");
        }
        return (int) n;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
