package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    /** Runs the command line with stdout and stderr captured: {status, stdout, stderr}. */
    static Object[] runCaptured(Map<String, String> env, String... args) {
        return runCaptured(Main::run, env, args);
    }

    /** Runs the command line through {@code run} with stdout and stderr captured: {status, stdout, stderr}. */
    static Object[] runCaptured(BiFunction<Map<String, String>, String[], Integer> run, Map<String, String> env,
            String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
        try {
            int status = run.apply(env, args);
            return new Object[] {status, capturedOut.toString(StandardCharsets.UTF_8),
                    capturedErr.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }

    /** Regression: {@code baton} and {@code baton db} alone printed a picocli stack trace and exited 1. */
    @ParameterizedTest
    @ValueSource(strings = {"", "db", "token", "prompts", "bench"})
    void aCommandWithoutItsSubcommandPrintsUsageToStderrAndExits2(String command) {
        String[] args = command.isEmpty() ? new String[0] : new String[] {command};
        Object[] result = runCaptured(Map.of(), args);
        assertThat(result[0]).isEqualTo(2);
        assertThat((String) result[1]).isEmpty();
        assertThat((String) result[2]).startsWith("Usage: baton" + (command.isEmpty() ? "" : " " + command))
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** Regression: --version printed "baton dev" because the shaded jar's manifest had no version. */
    @Test
    void versionIsTheBuiltOneNotDev() {
        Object[] result = runCaptured(Map.of(), "--version");
        assertThat(result[0]).isEqualTo(0);
        assertThat(((String) result[1]).strip()).matches("baton \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    /** Picocli names the bad word, then prints the usage or, for a near miss, the command meant. */
    @ParameterizedTest
    @ValueSource(strings = {"nope", "--bogus", "db nope", "serve --bogus"})
    void anUnknownCommandOrOptionIsNamedAndExits2(String line) {
        Object[] result = runCaptured(Map.of(), line.split(" "));
        assertThat(result[0]).isEqualTo(2);
        String bad = line.substring(line.lastIndexOf(' ') + 1);
        assertThat((String) result[2]).contains("'" + bad + "'").containsAnyOf("Usage: baton", "Did you mean")
                .doesNotContain("Exception");
    }

    @Test
    void anUnknownModelProviderIsOneSentenceAndExitTwoBeforeAnythingStarts() {
        Object[] run = runCaptured(Map.of("BATON_DATA_DIR", "/tmp/providers-data-never-opened"),
                "serve", "--stdio", "--user", "alice", "--model-provider", "carrier-pigeon");

        assertThat(run[0]).isEqualTo(2);
        assertThat((String) run[2]).contains(
                "The model provider \"carrier-pigeon\" is not one of openai, anthropic, gemini, sampling.")
                .doesNotContain("Exception");
        assertThat(java.nio.file.Path.of("/tmp/providers-data-never-opened")).doesNotExist();
    }

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

    /**
     * Regression: {@code --user ''} (and {@code BATON_USER=}) fell back to the OS user, so Baton
     * served as someone the caller did not name; ids with control characters were taken as given.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--user||--user must not be empty.",
            "--project| |--project must not be empty.",
            "--user|al{LF}ice|--user must not contain control characters (U+000A at position 3).",
            "--user|bob{ESC}[2J|--user must not contain control characters (U+001B at position 4).",
            "--project|a{LS}b|--project must not contain control characters (U+2028 at position 2)."})
    void anEmptyOrControlCharacterIdentityFlagIsRefusedBeforeAnythingStarts(String flag, String value, String sentence) {
        String given = value == null ? "" : value.replace("{LF}", "\n").replace("{ESC}", "\u001b")
                .replace("{LS}", "\u2028");
        Object[] result = runCaptured(Map.of(), "serve", "--stdio", "--data-dir", "/nonexistent/baton", flag, given);
        assertThat(result[0]).isEqualTo(2);
        assertThat((String) result[2]).contains(sentence).doesNotContain("Exception");
    }

    @Test
    void anEmptyIdentityVariableIsRefusedNotSkipped() {
        assertThat(catchThrowable(() -> new ServeCommand(Map.of("BATON_USER", "")).identity()))
                .hasMessage("BATON_USER must not be empty.");
        assertThat(catchThrowable(() -> new ServeCommand(Map.of("BATON_PROJECT", "x\ty")).identity()))
                .hasMessage("BATON_PROJECT must not contain control characters (U+0009 at position 2).");
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
