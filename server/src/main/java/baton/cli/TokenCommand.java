package baton.cli;

import baton.auth.TokenLifetime;
import baton.auth.Tokens;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Storage;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton token create|list|revoke}: bearer tokens of the HTTP transport. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Create, list and revoke bearer tokens for baton serve --http.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usage(spec);
    }

    /** A time to the second, as a list shows it. */
    private static String seconds(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Tokens tokens(Storage db) {
        return new Tokens(db.database(), Clock.systemUTC());
    }

    /** Prints the new token alone on stdout (once; only its hash is stored), the rest on stderr. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token for one identity and print it once (only its hash is stored).")
    static final class Create implements Callable<Integer> {
        @Option(names = "--user", required = true, paramLabel = "USER", description = "User id the token acts as.")
        String user;

        @Option(names = "--project", required = true, paramLabel = "PROJECT", description = "Project of the token.")
        String project;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, editor or admin.")
        String role;

        @Option(names = "--label", paramLabel = "TEXT", description = "A note to recognise the token by in lists.")
        String label;

        @Option(names = "--expires-in", paramLabel = "DURATION",
                description = "Refuse the token after this long: a number and s, m, h or d (90s, 15m, 12h, 30d; at least 1m). Default: it lives until revoked.")
        String expiresIn;

        @Mixin
        StorageOptions storage = new StorageOptions();

        @Spec
        CommandSpec spec;

        private final Map<String, String> env;

        Create(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            Identity identity = new Identity(Identity.requireName(user, "--user").strip(),
                    Identity.requireName(project, "--project").strip(), Role.parse(role));
            Duration lifetime = expiresIn == null ? null : TokenLifetime.parse(expiresIn, "--expires-in");
            try (Storage db = storage.open(env, 2)) {
                Tokens.CreatedToken token = tokens(db).create(identity, label, lifetime);
                Instant expires = token.info().expiresAt();
                spec.commandLine().getErr().println("token " + token.info().id() + " for " + identity.userId() + " in "
                        + identity.projectId() + " (" + identity.role().wireName() + ")"
                        + (expires == null ? "" : ", expires " + seconds(expires))
                        + "; it is shown only this once, keep it secret:");
                PrintWriter out = spec.commandLine().getOut();
                out.println(token.secret());
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Option(names = "--project", paramLabel = "PROJECT", description = "Only the tokens of this project.")
        String project;

        @Mixin
        StorageOptions storage = new StorageOptions();

        @Spec
        CommandSpec spec;

        private final Map<String, String> env;

        ListTokens(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            try (Storage db = storage.open(env, 2)) {
                List<Tokens.TokenInfo> all = tokens(db).list(project);
                PrintWriter out = spec.commandLine().getOut();
                Instant now = Instant.now();
                out.printf("%-36s  %-16s  %-16s  %-6s  %-20s  %-20s  %-28s  %s%n", "ID", "USER", "PROJECT", "ROLE",
                        "CREATED", "REVOKED", "EXPIRES", "LABEL");
                for (Tokens.TokenInfo t : all) {
                    String expires = t.expiresAt() == null ? "never"
                            : seconds(t.expiresAt()) + (t.expiredAt(now) ? " (expired)" : "");
                    out.printf("%-36s  %-16s  %-16s  %-6s  %-20s  %-20s  %-28s  %s%n", t.id(), t.identity().userId(),
                            t.identity().projectId(), t.identity().role().wireName(),
                            seconds(t.createdAt()), t.revoked() ? seconds(t.revokedAt()) : "-", expires, t.label());
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a token: it fails at once, on every instance.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "Token id, as token list shows it.")
        String id;

        @Mixin
        StorageOptions storage = new StorageOptions();

        @Spec
        CommandSpec spec;

        private final Map<String, String> env;

        Revoke(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            UUID tokenId;
            try {
                tokenId = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                        "ID must be a token id (a UUID, as token list shows it), not '" + id + "'.");
            }
            try (Storage db = storage.open(env, 2)) {
                tokens(db).revoke(tokenId);
            }
            spec.commandLine().getOut().println("revoked " + tokenId);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
