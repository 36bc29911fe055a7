package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamServerLoadTest {

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("upstreams.json"), json);
    }

    private Path upstreams(String... entries) throws IOException {
        return write("{\"upstreams\": [" + String.join(",", entries) + "]}");
    }

    /** The configuration failure of loading {@code file}, whose message names the file and {@code field}. */
    private static BatonException failure(Path file, String field) {
        BatonException e = catchThrowableOfType(() -> UpstreamServer.load(file), BatonException.class);
        assertThat(e).as("loading %s", file).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
        assertThat(e.getMessage()).startsWith("Upstreams file " + file + ": ").contains(field).endsWith(".");
        return e;
    }

    @Test
    void aValidFileGivesAnHttpAndAStdioUpstreamWithTheDefaults() throws IOException {
        Path file = upstreams("""
                {"name": "warehouse", "url": "http://127.0.0.1:8931/mcp",
                 "headers": {"Authorization": "Bearer s3cret-token"}}""", """
                {"name": "files_2", "command": ["java", "-jar", "files.jar"], "env": {"FILES_TOKEN": "t0ken-value"},
                 "identity_header": "X-Caller", "timeout_seconds": 5}""");

        List<UpstreamServer> servers = UpstreamServer.load(file);

        assertThat(servers).hasSize(2);
        UpstreamServer http = servers.get(0);
        assertThat(http.name()).isEqualTo("warehouse");
        assertThat(http.isHttp()).isTrue();
        assertThat(http.url()).isEqualTo(URI.create("http://127.0.0.1:8931/mcp"));
        assertThat(http.command()).isNull();
        assertThat(http.identityHeader()).isEqualTo("X-Baton-User");
        assertThat(http.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(http.headers()).isEqualTo(Map.of("Authorization", "Bearer s3cret-token"));
        assertThat(http.env()).isEmpty();
        assertThat(http.location()).isEqualTo("http://127.0.0.1:8931/mcp");

        UpstreamServer stdio = servers.get(1);
        assertThat(stdio.name()).isEqualTo("files_2");
        assertThat(stdio.isHttp()).isFalse();
        assertThat(stdio.url()).isNull();
        assertThat(stdio.command()).containsExactly("java", "-jar", "files.jar");
        assertThat(stdio.env()).isEqualTo(Map.of("FILES_TOKEN", "t0ken-value"));
        assertThat(stdio.headers()).isEmpty();
        assertThat(stdio.identityHeader()).isEqualTo("X-Caller");
        assertThat(stdio.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(stdio.location()).isEqualTo("java …");
    }

    @Test
    void theUpstreamsFileOfTheTestFixturesLoads() {
        Path file = Path.of("..", "test-fixtures", "upstream", "upstreams.json");
        assumeTrue(Files.isRegularFile(file), "no " + file);

        assertThat(UpstreamServer.load(file)).isNotEmpty().allSatisfy(u -> assertThat(u.location()).isNotBlank());
    }

    @Test
    void toStringNamesHeadersAndEnvironmentButNeverTheirValues() throws IOException {
        Path file = upstreams("""
                {"name": "warehouse", "url": "https://warehouse.example/mcp",
                 "headers": {"Authorization": "Bearer s3cret-token"}}""", """
                {"name": "files", "command": ["files-server"], "env": {"FILES_TOKEN": "t0ken-value"}}""");

        List<UpstreamServer> servers = UpstreamServer.load(file);

        assertThat(servers.get(0).toString()).contains("warehouse", "Authorization").doesNotContain("s3cret");
        assertThat(servers.get(1).toString()).contains("files", "FILES_TOKEN").doesNotContain("t0ken");
        assertThat(servers.toString()).doesNotContain("s3cret", "t0ken");
    }

    @Test
    void credentialsInTheUrlOrTheCommandStayOutOfMessages() throws IOException {
        Path file = upstreams("""
                {"name": "warehouse", "url": "https://user:pa55word@warehouse.example:8443/mcp?token=abc"}""", """
                {"name": "files", "command": ["files-server", "--token", "t0ken-value"]}""");

        List<UpstreamServer> servers = UpstreamServer.load(file);

        assertThat(servers.get(0).location()).isEqualTo("https://warehouse.example:8443/mcp");
        assertThat(servers.get(1).location()).isEqualTo("files-server …");
        assertThat(servers.toString()).doesNotContain("pa55word", "token=abc", "t0ken-value");
    }

    @Test
    void aMissingFileIsNamedAsMissing() {
        Path missing = Path.of("no-such-dir", "upstreams.json");
        assertThatThrownBy(() -> UpstreamServer.load(missing)).hasMessageContaining("does not exist or is not a file");
    }

    @Test
    void anEmptyListIsNoUpstreams() throws IOException {
        assertThat(UpstreamServer.load(upstreams())).isEmpty();
    }

    @Test
    void aMissingNameIsRefused() throws IOException {
        failure(upstreams("{\"url\": \"http://localhost:1/mcp\"}"), "upstreams[0].name is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"ware house\"", "\"warehouse/eu\"", "\"\"", "7",
            "\"a-name-that-is-much-longer-than-forty-characters\""})
    void aBadNameIsRefused(String name) throws IOException {
        failure(upstreams("{\"name\": " + name + ", \"url\": \"http://localhost:1/mcp\"}"), "upstreams[0].name");
    }

    @Test
    void bothUrlAndCommandAreRefused() throws IOException {
        Path file = upstreams("""
                {"name": "w", "url": "http://localhost:1/mcp", "command": ["server"]}""");

        assertThat(failure(file, "upstreams[0]").getMessage()).contains("\"url\"", "\"command\"", "both");
    }

    @Test
    void neitherUrlNorCommandIsRefused() throws IOException {
        assertThat(failure(upstreams("{\"name\": \"w\"}"), "upstreams[0]").getMessage())
                .contains("\"url\"", "\"command\"", "needs either");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://files.example/mcp", "file:///tmp/mcp", "localhost:8931/mcp", "/mcp",
            "http:///mcp", "not a url"})
    void aUrlThatIsNotAbsoluteHttpIsRefused(String url) throws IOException {
        Path file = upstreams("{\"name\": \"w\", \"url\": \"" + url + "\"}");

        assertThat(failure(file, "upstreams[0].url").getMessage()).contains(url);
    }

    @Test
    void anUnknownFieldIsRefusedByName() throws IOException {
        Path file = upstreams("{\"name\": \"w\", \"url\": \"http://localhost:1/mcp\", \"timeout\": 5}");

        assertThat(failure(file, "upstreams[0]").getMessage()).contains("unknown field \"timeout\"",
                "timeout_seconds");
    }

    @Test
    void aNameUsedTwiceIsRefusedAtItsSecondUse() throws IOException {
        Path file = upstreams("{\"name\": \"w\", \"url\": \"http://localhost:1/mcp\"}",
                "{\"name\": \"w\", \"command\": [\"server\"]}");

        failure(file, "upstreams[1].name \"w\" is used twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "1.5", "\"30\"", "true", "null", "99999999999"})
    void aTimeoutThatIsNotAWholePositiveNumberOfSecondsIsRefused(String timeout) throws IOException {
        Path file = upstreams("{\"name\": \"w\", \"url\": \"http://localhost:1/mcp\", \"timeout_seconds\": "
                + timeout + "}");

        failure(file, "upstreams[0].timeout_seconds");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"headers\": {\"Authorization\": 5}|upstreams[0].headers.Authorization must be a string",
            "\"headers\": {\"X-Token\": null}|upstreams[0].headers.X-Token must be a string",
            "\"headers\": [\"Authorization\"]|upstreams[0].headers must be an object of strings",
            "\"env\": {\"TOKEN\": {\"value\": \"x\"}}|upstreams[0].env.TOKEN must be a string"})
    void headersAndEnvironmentMustBeStrings(String field, String message) throws IOException {
        Path file = upstreams("{\"name\": \"w\", \"url\": \"http://localhost:1/mcp\", " + field + "}");

        failure(file, message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"server --stdio\"", "[\"server\", 3]", "[\"\"]"})
    void aCommandMustBeANonEmptyArrayOfStrings(String command) throws IOException {
        failure(upstreams("{\"name\": \"w\", \"command\": " + command + "}"), "upstreams[0].command");
    }

    @Test
    void anIdentityHeaderThatIsNoHeaderNameIsRefused() throws IOException {
        Path file = upstreams("{\"name\": \"w\", \"url\": \"http://localhost:1/mcp\", \"identity_header\": "
                + "\"X Baton: User\"}");

        failure(file, "upstreams[0].identity_header");
    }

    @Test
    void anEntryThatIsNotAnObjectIsRefused() throws IOException {
        failure(upstreams("\"warehouse\""), "upstreams[0] must be an object");
    }

    @Test
    void aFileThatIsNotJsonIsRefused() throws IOException {
        failure(write("{\"upstreams\": [ {\"name\": "), "cannot be read as JSON");
        failure(write("upstreams:\n  - name: w\n"), "cannot be read as JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{}", "{\"upstreams\": {\"w\": {}}}", "\"upstreams\"", ""})
    void aFileWithoutAnUpstreamsArrayIsRefused(String json) throws IOException {
        failure(write(json), "\"upstreams\" array");
    }

    @Test
    void aMissingFileIsAConfigurationFailureNamingIt() {
        failure(dir.resolve("absent.json"), "absent.json");
    }
}
