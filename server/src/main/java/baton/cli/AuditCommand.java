package baton.cli;

import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Quote;
import baton.db.Storage;
import baton.mcp.JsonViews;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton audit export}: a project's conversation activity as JSON lines, for operators. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Export the activity of conversations (reads, forks, shares, unshares, renames, deletes).",
        subcommands = {AuditCommand.Export.class})
final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usage(spec);
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Print every activity event of a project, oldest first, one JSON object per line on stdout.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--project", required = true, paramLabel = "PROJECT", description = "The project whose events to export.")
        String project;

        @Option(names = "--since", paramLabel = "TIME",
                description = "Only events at or after this RFC 3339 time (2026-11-30T12:00:00Z) or UTC date (2026-11-30).")
        String since;

        @Mixin
        StorageOptions storage = new StorageOptions();

        @Spec
        CommandSpec spec;

        private final Map<String, String> env;

        Export(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            String projectId = Identity.requireName(project, "--project").strip();
            Instant from = since == null ? Instant.EPOCH : parseSince(since);
            ObjectMapper json = new ObjectMapper();
            PrintWriter out = spec.commandLine().getOut();
            long n;
            try (Storage db = storage.open(env, 2)) {
                n = new Conversations(db.database(), Clock.systemUTC()).exportActivity(projectId, from, event -> {
                    try {
                        out.println(json.writeValueAsString(JsonViews.exportedEvent(event)));
                    } catch (JsonProcessingException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            out.flush();
            spec.commandLine().getErr().println(n + " events of project " + Quote.of(projectId) + " exported.");
            return 0;
        }

        /** An RFC 3339 time, or a date meaning its start in UTC. */
        static Instant parseSince(String text) {
            String t = text.strip();
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException notATime) {
                try {
                    return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException notADate) {
                    throw new BatonException(ErrorCode.INVALID_ARGUMENT, "--since " + Quote.of(text)
                            + " is not a time; give an RFC 3339 time such as 2026-11-30T12:00:00Z or a date such as 2026-11-30.");
                }
            }
        }
    }
}
