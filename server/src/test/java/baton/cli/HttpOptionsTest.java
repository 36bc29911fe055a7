package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.http.HttpSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class HttpOptionsTest {

    private static HttpOptions flags(String... args) {
        return CommandLine.populateCommand(new HttpOptions(), args);
    }

    @Test
    void defaultsAreLoopbackPort8080And16MiB() {
        HttpSettings settings = flags().settings(Map.of());
        assertThat(settings.bind()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.maxRequestBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(settings.allowedHosts()).isEmpty();
        assertThat(settings.allowedOrigins()).isEmpty();
    }

    @Test
    void flagsWinOverTheEnvironment() {
        Map<String, String> env = Map.of("BATON_HTTP_PORT", "9000", "BATON_HTTP_BIND", "0.0.0.0",
                "BATON_HTTP_MAX_REQUEST_BYTES", "65536", "BATON_HTTP_ALLOWED_HOSTS", "a.example, b.example",
                "BATON_HTTP_ALLOWED_ORIGINS", "https://app.example");
        HttpSettings fromEnv = flags().settings(env);
        assertThat(fromEnv.port()).isEqualTo(9000);
        assertThat(fromEnv.bind()).isEqualTo("0.0.0.0");
        assertThat(fromEnv.maxRequestBytes()).isEqualTo(65536);
        assertThat(fromEnv.allowedHosts()).containsExactly("a.example", "b.example");
        assertThat(fromEnv.allowedOrigins()).containsExactly("https://app.example");

        HttpSettings fromFlags = flags("--port", "9100", "--bind", "::1", "--allowed-host", "C.Example",
                "--allowed-origin", "https://Other.example/").settings(env);
        assertThat(fromFlags.port()).isEqualTo(9100);
        assertThat(fromFlags.bind()).isEqualTo("::1");
        assertThat(fromFlags.allowedHosts()).containsExactly("c.example");
        assertThat(fromFlags.allowedOrigins()).containsExactly("https://other.example");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "BATON_HTTP_PORT|eighty|BATON_HTTP_PORT must be a whole number, not 'eighty'.",
            "BATON_HTTP_PORT|70000|The port must be between 0 and 65535, not 70000.",
            "BATON_HTTP_MAX_REQUEST_BYTES|10|The request size limit must be between 1024",
            "BATON_HTTP_ALLOWED_ORIGINS|app.example|Allowed origin 'app.example' must be scheme://host[:port]",
            "BATON_HTTP_ALLOWED_HOSTS|https://a.example/|Allowed host 'https://a.example/' is not a host name"})
    void badSettingsAreOneSentenceNamingTheSetting(String name, String value, String message) {
        BatonException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> flags().settings(Map.of(name, value)), BatonException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
        assertThat(e.getMessage()).startsWith(message);
    }

    @Test
    void identityFlagsWithHttpAndHttpFlagsWithStdioAreRefused() {
        assertThat(run("serve", "--http", "--user", "alice")).contains("--user, --project and --role apply to --stdio only");
        assertThat(run("serve", "--stdio", "--port", "9000")).contains("apply to --http only");
        assertThat(run("serve", "--stdio", "--http")).contains("mutually exclusive");
    }

    private static String run(String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(Map.of(), args)).isEqualTo(2);
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
