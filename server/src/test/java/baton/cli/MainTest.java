package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void badRoleIsRefusedBeforeAnythingStarts() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        PrintStream out = System.out;
        try {
            int status = Main.run(Map.of(), "serve", "--stdio", "--user", "alice", "--role", "wizard");
            assertThat(status).isEqualTo(2);
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("role must be one of viewer, editor or admin, not 'wizard'.");
    }

    /** Only the subcommand asked for is built (start-up time); the usage still lists them all. */
    @Test
    void usageListsEveryCommandAndASubcommandStillHasItsHelp() {
        String usage = captureErr(() -> Main.run(Map.of()));
        assertThat(usage).contains("serve", "token", "db", "prompts", "replay", "bench").doesNotContain("cds-train");
        PrintStream out = System.out;
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        System.setOut(new PrintStream(help, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(Map.of(), "serve", "--help")).isZero();
            assertThat(Main.run(Map.of(), "--help")).isZero();
        } finally {
            System.setOut(out);
        }
        assertThat(help.toString(StandardCharsets.UTF_8)).contains("Usage: baton serve", "--stdio", "Usage: baton ",
                "bench");
        assertThat(captureErr(() -> Main.run(Map.of(), "nonsense"))).contains("Unmatched argument", "nonsense");
    }

    private static String captureErr(Runnable action) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void identityComesFromFlagsThenEnvironmentThenDefaults() {
        ServeCommand fromEnv = new ServeCommand(Map.of("BATON_USER", "bob", "BATON_PROJECT", "acme", "BATON_ROLE", "viewer"));
        assertThat(fromEnv.identity().userId()).isEqualTo("bob");
        assertThat(fromEnv.identity().projectId()).isEqualTo("acme");
        assertThat(fromEnv.identity().role().wireName()).isEqualTo("viewer");
        ServeCommand flags = new ServeCommand(Map.of("BATON_USER", "bob"));
        flags.identityOptions.user = "alice";
        assertThat(flags.identity().userId()).isEqualTo("alice");
        ServeCommand defaults = new ServeCommand(Map.of());
        assertThat(defaults.identity().userId()).isEqualTo(System.getProperty("user.name"));
        assertThat(defaults.identity().projectId()).isEqualTo("default");
        assertThat(defaults.identity().role().wireName()).isEqualTo("editor");
    }
}
