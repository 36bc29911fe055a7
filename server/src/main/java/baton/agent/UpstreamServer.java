package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An upstream MCP server whose tools the model may call. Exactly one of {@code url} (Streamable
 * HTTP) and {@code command} (stdio) is set. The caller's identity travels with every call: in
 * the {@code identityHeader} for HTTP, in the environment ({@value #USER_ENV},
 * {@value #PROJECT_ENV}, {@value #ROLE_ENV}) of a process started per caller for stdio.
 *
 * @param headers fixed headers sent on every HTTP request (the upstream's own credentials)
 * @param env fixed environment of a stdio server, on top of a minimal inherited one
 * @param timeout how long one tool call (or connecting) may take
 * @param directory the working directory of a stdio server's process; null: Baton's own
 */
public record UpstreamServer(
        String name,
        URI url,
        String identityHeader,
        Map<String, String> headers,
        List<String> command,
        Map<String, String> env,
        Duration timeout,
        Path directory) {

    public static final String USER_ENV = "BATON_CALLER_USER";
    public static final String PROJECT_ENV = "BATON_CALLER_PROJECT";
    public static final String ROLE_ENV = "BATON_CALLER_ROLE";
    public static final String DEFAULT_IDENTITY_HEADER = "X-Baton-User";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final Set<String> KEYS = Set.of("name", "url", "identity_header", "headers", "command", "env",
            "timeout_seconds", "cwd");
    private static final ObjectMapper JSON = new ObjectMapper();

    public UpstreamServer {
        Objects.requireNonNull(name, "name must not be null");
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        command = command == null ? null : List.copyOf(command);
        env = Map.copyOf(env == null ? Map.of() : env);
        identityHeader = identityHeader == null ? DEFAULT_IDENTITY_HEADER : identityHeader;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if ((url == null) == (command == null || command.isEmpty())) {
            throw new IllegalArgumentException("exactly one of url and command must be set");
        }
    }

    /** An upstream without a working directory of its own (a stdio one runs in Baton's). */
    public UpstreamServer(String name, URI url, String identityHeader, Map<String, String> headers,
            List<String> command, Map<String, String> env, Duration timeout) {
        this(name, url, identityHeader, headers, command, env, timeout, null);
    }

    public boolean isHttp() {
        return url != null;
    }

    /**
     * Where the server is, for messages and logs: its URL without user info and query, or its
     * command's program, since either may carry credentials.
     */
    public String location() {
        if (!isHttp()) {
            return command.get(0) + (command.size() > 1 ? " …" : "");
        }
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return url.getScheme() + "://" + url.getHost() + port + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
        // the URL, the command, fixed headers and env may hold the upstream's credentials
        return "UpstreamServer[name=" + name + ", " + (isHttp() ? "url=" : "command=") + location()
                + ", identityHeader=" + identityHeader + ", headers=" + headers.keySet() + ", env=" + env.keySet()
                + ", timeout=" + timeout + (directory == null ? "" : ", directory=" + directory) + "]";
    }

    /**
     * Reads the upstreams file (see the README): {@code {"upstreams": [ {...}, ... ]}}. Every
     * mistake is a {@link ErrorCode#CONFIGURATION} failure naming the file and the field.
     *
     * <p>Relative paths mean the same whatever directory Baton was started in: they are resolved
     * against the folder that holds the file. That is {@code cwd} (default: the folder itself, the
     * working directory of a stdio server's process) and a {@code command} program that contains a
     * slash ({@code ./server.sh}, {@code bin/server}); a bare program name is looked up on PATH.
     * Arguments are passed as written: a relative file name among them is found by the program in
     * its working directory, which is why that is the file's folder unless {@code cwd} says otherwise.
     */
    public static List<UpstreamServer> load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            if (!Files.isRegularFile(file)) {
                throw invalid(file, "does not exist or is not a file");
            }
            throw invalid(file, "cannot be read as JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject() || !root.path("upstreams").isArray()) {
            throw invalid(file, "must be a JSON object with an \"upstreams\" array");
        }
        List<UpstreamServer> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode node : root.get("upstreams")) {
            UpstreamServer server = parse(file, "upstreams[" + i + "]", node);
            if (!names.add(server.name())) {
                throw invalid(file, "upstreams[" + i + "].name \"" + server.name() + "\" is used twice");
            }
            servers.add(server);
            i++;
        }
        return servers;
    }

    private static UpstreamServer parse(Path file, String at, JsonNode node) {
        if (!node.isObject()) {
            throw invalid(file, at + " must be an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw invalid(file, at + " has an unknown field \"" + key + "\" (known: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        String name = text(file, at + ".name", node.get("name"), true);
        if (!NAME.matcher(name).matches()) {
            throw invalid(file, at + ".name \"" + name + "\" must be 1 to 40 letters, digits, '_' or '-'");
        }
        String url = text(file, at + ".url", node.get("url"), false);
        List<String> command = null;
        if (node.has("command")) {
            JsonNode c = node.get("command");
            if (!c.isArray() || c.isEmpty()) {
                throw invalid(file, at + ".command must be a non-empty array of strings");
            }
            command = new ArrayList<>();
            for (JsonNode word : c) {
                command.add(text(file, at + ".command[]", word, true));
            }
        }
        if ((url == null) == (command == null)) {
            throw invalid(file, at + (url == null ? " needs either" : " must not have both")
                    + " \"url\" (Streamable HTTP) and \"command\" (stdio)");
        }
        Path folder = file.toAbsolutePath().normalize().getParent();
        Path directory = null;
        String cwd = text(file, at + ".cwd", node.get("cwd"), false);
        if (cwd != null && command == null) {
            throw invalid(file, at + ".cwd is only for a \"command\" (stdio) server");
        }
        if (command != null) {
            directory = cwd == null ? folder : folder.resolve(cwd).normalize();
            if (!Files.isDirectory(directory)) {
                throw invalid(file, at + ".cwd \"" + cwd + "\" is not a directory (" + directory + ")");
            }
            String program = command.get(0);
            if (program.contains("/") && !Path.of(program).isAbsolute()) {
                command.set(0, folder.resolve(program).normalize().toString());
            }
        }
        URI uri = null;
        if (url != null) {
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw invalid(file, at + ".url \"" + url + "\" is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw invalid(file, at + ".url \"" + url + "\" must be an absolute http or https URL");
            }
        }
        String header = text(file, at + ".identity_header", node.get("identity_header"), false);
        if (header != null && !HEADER.matcher(header).matches()) {
            throw invalid(file, at + ".identity_header \"" + header + "\" is not a valid HTTP header name");
        }
        Duration timeout = null;
        if (node.has("timeout_seconds")) {
            JsonNode t = node.get("timeout_seconds");
            if (!t.canConvertToInt() || t.asInt() < 1 || !t.isIntegralNumber()) {
                throw invalid(file, at + ".timeout_seconds must be a whole number of seconds, at least 1");
            }
            timeout = Duration.ofSeconds(t.asInt());
        }
        return new UpstreamServer(name, uri, header, strings(file, at + ".headers", node.get("headers")), command,
                strings(file, at + ".env", node.get("env")), timeout, directory);
    }

    private static String text(Path file, String at, JsonNode node, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid(file, at + " is missing");
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw invalid(file, at + " must be a non-empty string");
        }
        return node.asText();
    }

    private static Map<String, String> strings(Path file, String at, JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw invalid(file, at + " must be an object of strings");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw invalid(file, at + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static BatonException invalid(Path file, String what) {
        return new BatonException(ErrorCode.CONFIGURATION, "Upstreams file " + file + ": " + what + ".");
    }
}
