package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code serve --stdio} read without picocli ({@link StdioCommandLine}) must leave the command
 * exactly as picocli leaves it, or decline the command line so that picocli reads it.
 */
class StdioCommandLineTest {

    private static final Map<String, String> ENV = Map.of("BATON_DATA_DIR", "/tmp/stdio-command-line-never-opened");

    /** The command lines the fast path reads: each field must be what picocli sets. */
    @ParameterizedTest
    @ValueSource(strings = {
            "serve --stdio",
            "serve --stdio --user alice --project p1",
            "serve --user alice --stdio --project p1 --role viewer",
            "serve --stdio --user=alice --project=p=1 --role=admin",
            "serve --stdio --db-url jdbc:postgresql://127.0.0.1:5/x?user=a --data-dir /tmp/d~ir",
            "serve --stdio --data-dir=relative/dir --upstreams ../up.json",
            "serve --stdio --model-provider anthropic --model-base-url http://x/v1 --model-name m --model-api-key k",
            "serve --stdio --model-timeout 30 --model-max-retries 0 --max-steps 010 --turn-timeout=999999999",
            "serve --stdio --share-tool-results none --entitlement-ttl 5",
            "serve --stdio --user \"quoted\" --project 'single'",
            "serve --stdio --user a\\b --project ü",
            "serve --stdio --user ~spaced~ --project x~",
    })
    void readsLikePicocli(String line) throws Exception {
        String[] args = split(line);
        ServeCommand fast = StdioCommandLine.parse(ENV, args);
        assertThat(fast).as("read without picocli").isNotNull();
        ServeCommand picocli = new ServeCommand(ENV);
        new CommandLine(picocli).parseArgs(Arrays.copyOfRange(args, 1, args.length));
        assertThat(fields(fast)).isEqualTo(fields(picocli));
    }

    /** Everything else is left to picocli, which answers as it always did. */
    @ParameterizedTest
    @ValueSource(strings = {
            "serve",
            "serve --http",
            "serve --stdio --http",
            "serve --stdio --stdio",
            "serve --stdio --help",
            "serve --stdio -h",
            "serve --stdio --version",
            "serve --stdio --port 9000",
            "serve --stdio --oauth-issuer http://x",
            "serve --stdio --user alice --user bob",
            "serve --stdio --user=alice --user bob",
            "serve --stdio --user",
            "serve --stdio --user=",
            "serve --stdio --user --project",
            "serve --stdio --user -alice",
            "serve --stdio --user @file",
            "serve --stdio @args.txt",
            "serve --stdio extra",
            "serve --stdio -- --user",
            "serve --stdio --USER alice",
            "serve --stdio --use alice",
            "serve --stdio --max-steps -1",
            "serve --stdio --max-steps 0x10",
            "serve --stdio --max-steps 1e3",
            "serve --stdio --max-steps 9999999999",
            "serve --stdio --max-steps=",
            "--version",
            "-V serve --stdio",
            "token create --user a",
    })
    void leavesEverythingElseToPicocli(String line) {
        assertThat(StdioCommandLine.parse(ENV, split(line))).isNull();
    }

    @Test
    void aPicocliSystemPropertyLeavesTheCommandLineToPicocli() {
        System.setProperty("picocli.trimQuotes", "true");
        try {
            assertThat(StdioCommandLine.parse(ENV, "serve", "--stdio", "--user", "\"a\"")).isNull();
        } finally {
            System.clearProperty("picocli.trimQuotes");
        }
    }

    /**
     * The options read without picocli are the options of serve that apply to --stdio, each as
     * picocli declares it: another option of serve is refused over stdio (HttpOptionsTest,
     * LimitOptionsTest, OAuthOptionsTest, WebOptionsTest), so it may go to picocli.
     */
    @Test
    void theOptionsReadAreServesStdioOptions() throws Exception {
        CommandLine serve = new CommandLine(new ServeCommand(ENV));
        TreeSet<String> stdio = new TreeSet<>();
        for (OptionSpec option : serve.getCommandSpec().options()) {
            String name = option.longestName();
            Object owner = ownerOf(option);
            if (owner instanceof IdentityOptions || owner instanceof StorageOptions || owner instanceof AgentOptions
                    || owner instanceof SharingOptions) {
                stdio.add(name);
                assertThat(option.names()).as(name + " has one name").hasSize(1);
                assertThat(option.arity().min()).as(name).isEqualTo(1);
                assertThat(option.arity().max()).as(name).isEqualTo(1);
                assertThat(option.defaultValue()).as(name + " has no default (it falls back in code)").isNull();
                assertThat(option.type()).as(name).isIn(String.class, java.nio.file.Path.class, Integer.class);
            }
        }
        assertThat(stdio).isEqualTo(new TreeSet<>(StdioCommandLine.OPTIONS));
    }

    /** A command that fails is reported by picocli, in the same words and with the same exit status. */
    @ParameterizedTest
    @ValueSource(strings = {
            "serve --stdio --user alice --role nobody",
            "serve --stdio --user alice --model-provider carrier-pigeon",
            "serve --stdio --user alice --model-timeout 0",
            "serve --stdio --user alice --upstreams /nonexistent/upstreams.json",
            "serve --stdio --user alice --model-base-url ftp://x",
    })
    void aFailureEndsAsWithPicocli(String line) {
        String[] args = split(line);
        assertThat(StdioCommandLine.parse(ENV, args)).isNotNull();
        Object[] fast = captured(Main::run, args);
        Object[] picocli = captured(Main::runWithPicocli, args);
        assertThat(fast).isEqualTo(picocli);
        assertThat((String) fast[2]).startsWith("baton: ").doesNotContain("Exception");
        assertThat(java.nio.file.Path.of(ENV.get("BATON_DATA_DIR"))).doesNotExist();
    }

    /** {status, stdout, stderr without its log lines}: the two parsers log at different moments. */
    private static Object[] captured(BiFunction<Map<String, String>, String[], Integer> run, String[] args) {
        Object[] result = MainTest.runCaptured(run, ENV, args);
        result[2] = ((String) result[2]).replaceAll("(?m)^\\S+ (INFO|WARN|DEBUG) .*\\R", "");
        return result;
    }

    private static Object ownerOf(OptionSpec option) throws Exception {
        return option.scope().get();
    }

    /** A command line split at spaces; {@code ~} stands for a space inside a word. */
    private static String[] split(String line) {
        List<String> words = new ArrayList<>();
        for (String word : line.split(" ")) {
            words.add(word.replace('~', ' '));
        }
        return words.toArray(String[]::new);
    }

    /** Every field of the command and of its option groups, by name. */
    private static Map<String, Object> fields(ServeCommand command) throws IllegalAccessException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field field : ServeCommand.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.getType() == Map.class) {
                continue;
            }
            field.setAccessible(true);
            Object value = field.get(command);
            if (value == null) {
                values.put(field.getName(), null);
                continue;
            }
            for (Field inner : value.getClass().getDeclaredFields()) {
                if (Modifier.isStatic(inner.getModifiers())) {
                    continue;
                }
                inner.setAccessible(true);
                values.put(field.getName() + "." + inner.getName(), inner.get(value));
            }
        }
        return values;
    }
}
