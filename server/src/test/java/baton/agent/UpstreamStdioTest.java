package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Role;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstreams started over stdio from an upstreams file, by real processes. */
class UpstreamStdioTest {

    private static final Identity ALICE = new Identity("alice", "demo", Role.EDITOR);

    @TempDir
    Path dir;

    private static ToolGateway gateway(List<UpstreamServer> servers) {
        return new ToolGateway(servers, new JacksonMcpJsonMapper(new ObjectMapper()), "test");
    }

    private Path script(String relative, String body) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * Regression: an upstream that exited at start (a wrong path, a missing dependency) left the
     * turn waiting for the whole initialization timeout, then said only "no answer within 60 s".
     */
    @Test
    void anUpstreamThatExitsAtStartFailsAtOnceWithItsStatusAndLastStderrLine() throws IOException {
        script("bin/broken", "echo 'starting up' >&2\necho 'cannot open warehouse.db' >&2\nexit 3\n");
        Path file = Files.writeString(dir.resolve("upstreams.json"), """
                {"upstreams": [{"name": "broken", "command": ["bin/broken"], "timeout_seconds": 60}]}""");

        long start = System.nanoTime();
        BatonException e;
        try (ToolGateway gateway = gateway(UpstreamServer.load(file))) {
            e = catchThrowableOfType(() -> gateway.tools(ALICE), BatonException.class);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
        assertThat(e.getMessage()).contains("'broken'").contains("exited at start with status 3")
                .contains("cannot open warehouse.db").doesNotContain("Exception");
        assertThat(took).as("far less than the 60 s initialization timeout").isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void relativePathsOfTheFileAreResolvedAgainstItsFolder() throws IOException {
        Files.createDirectories(dir.resolve("work"));
        Path file = Files.writeString(dir.resolve("upstreams.json"), """
                {"upstreams": [
                  {"name": "a", "command": ["bin/server", "--data", "data.json"]},
                  {"name": "b", "command": ["./server.sh"], "cwd": "work"},
                  {"name": "c", "command": ["java", "-cp", "lib/x.jar", "Main"]},
                  {"name": "d", "command": ["/usr/bin/env", "x"], "cwd": "/tmp"}]}""");
        Path folder = dir.toAbsolutePath().normalize();

        List<UpstreamServer> servers = UpstreamServer.load(file);

        assertThat(servers.get(0).command()).containsExactly(folder.resolve("bin/server").toString(), "--data", "data.json");
        assertThat(servers.get(0).directory()).isEqualTo(folder);
        assertThat(servers.get(1).command()).containsExactly(folder.resolve("server.sh").toString());
        assertThat(servers.get(1).directory()).isEqualTo(folder.resolve("work"));
        assertThat(servers.get(2).command()).as("a bare program is looked up on PATH; arguments stay as written")
                .containsExactly("java", "-cp", "lib/x.jar", "Main");
        assertThat(servers.get(2).directory()).isEqualTo(folder);
        assertThat(servers.get(3).command().get(0)).isEqualTo("/usr/bin/env");
        assertThat(servers.get(3).directory()).isEqualTo(Path.of("/tmp"));
    }

    @Test
    void aCwdThatIsNotADirectoryOrBelongsToAnHttpUpstreamIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("upstreams.json"), """
                {"upstreams": [{"name": "a", "command": ["x"], "cwd": "missing"}]}""");
        assertThat(catchThrowableOfType(() -> UpstreamServer.load(file), BatonException.class))
                .hasMessageContaining("upstreams[0].cwd \"missing\" is not a directory");
        Path http = Files.writeString(dir.resolve("http.json"), """
                {"upstreams": [{"name": "a", "url": "http://localhost:1/mcp", "cwd": "."}]}""");
        assertThat(catchThrowableOfType(() -> UpstreamServer.load(http), BatonException.class))
                .hasMessageContaining("upstreams[0].cwd is only for a \"command\" (stdio) server");
    }

    /** The stdio process runs in the file's folder, so relative arguments name files beside it. */
    @Test
    void aStdioUpstreamRunsInTheFilesFolder() throws IOException {
        script("bin/where", "pwd -P >&2\nexit 0\n");
        Path file = Files.writeString(dir.resolve("upstreams.json"), """
                {"upstreams": [{"name": "where", "command": ["bin/where"]}]}""");
        BatonException e;
        try (ToolGateway gateway = gateway(UpstreamServer.load(file))) {
            e = catchThrowableOfType(() -> gateway.tools(ALICE), BatonException.class);
        }
        assertThat(e.getMessage()).contains("status 0").contains(dir.toRealPath().toString());
    }

    /**
     * Regression: the demo's upstreams file named its jar and data relative to the repository root,
     * so the demo worked only when Baton was started there. These tests run in {@code server/}.
     */
    @Test
    void theDemoUpstreamStartsFromAnyWorkingDirectory() {
        Path file = Path.of("..", "test-fixtures", "upstream", "upstreams.json").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(file.getParent().resolve("../../server/target/baton.jar")),
                "the demo upstream runs on the built jar");
        try (ToolGateway gateway = gateway(UpstreamServer.load(file))) {
            assertThat(gateway.tools(ALICE)).extracting(UpstreamTool::name).isNotEmpty();
        }
    }
}
