package baton.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code serve --stdio} read without picocli, for the command line an assistant starts for every
 * session: picocli reads the annotations of {@code serve} and its eight option groups through
 * reflection (a generated proxy class per annotation type) before it parses anything, about a
 * third of the time to the {@code initialize} answer. This reads the options a stdio server takes
 * ({@link #OPTIONS}) into the same fields picocli fills, and runs the same {@link ServeCommand}.
 *
 * <p>It reads only what it is certain picocli reads the same way: {@code --name value} and
 * {@code --name=value}, each option at most once, values that are not empty and do not start with
 * {@code -} or {@code @}, numbers of plain digits. Anything else (help, another option, a repeated
 * one, an @file, a picocli system property, a malformed value) goes to picocli, which answers as
 * it always did; {@code StdioCommandLineTest} holds the two equal.
 */
final class StdioCommandLine {

    /** The options of {@code serve} that apply to {@code --stdio} (the others are refused there). */
    static final Set<String> OPTIONS = Set.of("--user", "--project", "--role", "--db-url", "--data-dir",
            "--model-provider", "--model-base-url", "--model-name", "--model-api-key", "--model-timeout",
            "--model-max-retries", "--max-steps", "--turn-timeout", "--upstreams", "--share-tool-results",
            "--entitlement-ttl");

    private StdioCommandLine() {
    }

    /**
     * The {@code serve --stdio} command {@code args} name, its fields filled as picocli fills them,
     * or null when picocli is to read {@code args}.
     */
    static ServeCommand parse(Map<String, String> env, String... args) {
        if (args.length < 2 || !"serve".equals(args[0]) || picocliConfigured()) {
            return null;
        }
        ServeCommand command = new ServeCommand(env);
        Set<String> seen = new HashSet<>();
        boolean stdio = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if ("--stdio".equals(arg)) {
                if (stdio) {
                    return null;
                }
                stdio = true;
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            if (!OPTIONS.contains(name) || !seen.add(name) || !plain(value) || !set(command, name, value)) {
                return null;
            }
        }
        if (!stdio) {
            return null;
        }
        ServeCommand.Transport transport = new ServeCommand.Transport();
        transport.stdio = true;
        command.transport = transport;
        return command;
    }

    /** A system property that changes how picocli reads or prints ({@code picocli.trimQuotes} and others). */
    private static boolean picocliConfigured() {
        for (Object key : System.getProperties().keySet()) {
            if (key instanceof String name && name.startsWith("picocli.")) {
                return true;
            }
        }
        return false;
    }

    private static boolean plain(String value) {
        return !value.isEmpty() && value.charAt(0) != '-' && value.charAt(0) != '@';
    }

    /** Sets the field of option {@code name}; false when the value is not one this reads as picocli would. */
    private static boolean set(ServeCommand c, String name, String value) {
        switch (name) {
            case "--user" -> c.identityOptions.user = value;
            case "--project" -> c.identityOptions.project = value;
            case "--role" -> c.identityOptions.role = value;
            case "--db-url" -> c.storage.dbUrl = value;
            case "--data-dir" -> c.storage.dataDir = Path.of(value);
            case "--model-provider" -> c.agentOptions.provider = value;
            case "--model-base-url" -> c.agentOptions.baseUrl = value;
            case "--model-name" -> c.agentOptions.modelName = value;
            case "--model-api-key" -> c.agentOptions.apiKey = value;
            case "--upstreams" -> c.agentOptions.upstreams = Path.of(value);
            case "--share-tool-results" -> c.sharingOptions.shareToolResults = value;
            default -> {
                Integer n = number(value);
                if (n == null) {
                    return false;
                }
                switch (name) {
                    case "--model-timeout" -> c.agentOptions.timeoutSeconds = n;
                    case "--model-max-retries" -> c.agentOptions.maxRetries = n;
                    case "--max-steps" -> c.agentOptions.maxSteps = n;
                    case "--turn-timeout" -> c.agentOptions.turnTimeoutSeconds = n;
                    case "--entitlement-ttl" -> c.sharingOptions.entitlementTtlSeconds = n;
                    default -> {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Up to nine digits, which picocli's {@code Integer.valueOf} reads the same; null for anything else. */
    private static Integer number(String value) {
        if (value.length() > 9) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < '0' || ch > '9') {
                return null;
            }
        }
        return Integer.valueOf(value);
    }
}
