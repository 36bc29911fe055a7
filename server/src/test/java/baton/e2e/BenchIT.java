package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmarks that start Baton processes, on tiny sizes: they run and print their figures. */
class BenchIT {

    @Test
    void startupSaysHowToInstallMissingReferencesAndMeasuresBaton() throws Exception {
        Path home = Files.createTempDirectory("bench-it");
        Path noReferences = Files.createDirectories(home.resolve("no-references"));
        BatonLauncher.Result result = BatonLauncher.run(home, Map.of(), "bench", "startup", "--rounds", "1",
                "--references", noReferences.toString());
        assertThat(result.status()).as(result.stderr()).isZero();
        assertThat(result.stdout())
                .contains("left out: @modelcontextprotocol/server-everything is not installed in " + noReferences,
                        "npm install --prefix " + noReferences.resolve("node") + " @modelcontextprotocol/server-everything")
                .contains("left out: the Python SDK (mcp==2.3.0) is not installed in " + noReferences,
                        "python3 -m venv " + noReferences.resolve("python"))
                .contains("CDS archive:", "Baton, JDK ", "+ CDS archive takes", "as long as Baton, JDK ");
    }

    @Test
    void memoryReportsTheResidentSizeOfAnHttpInstance() throws Exception {
        Path home = Files.createTempDirectory("bench-it");
        BatonLauncher.Result result = BatonLauncher.run(home, Map.of(), "bench", "memory", "--conversations", "40",
                "--sessions", "3", "--jvm-option=-Xmx128m");
        assertThat(result.status()).as(result.stderr()).isZero();
        assertThat(result.stdout()).containsPattern("after 40 conversations created over MCP +\\d+")
                .containsPattern("with 3 MCP sessions open at once +\\d+");
    }

    @Test
    void sessionsReportsTheSizeOfAnHttpInstanceWhoseSessionsAreAbandoned() throws Exception {
        Path home = Files.createTempDirectory("bench-it");
        BatonLauncher.Result result = BatonLauncher.run(home, Map.of(), "bench", "sessions", "--sessions", "60",
                "--rounds", "2", "--jvm-option=-Xmx128m", "--serve-option=--max-sessions=50");
        assertThat(result.status()).as(result.stderr()).isZero();
        assertThat(result.stdout()).containsPattern("round 1: 60 sessions of 3 callers, abandoned in \\d+ s +60 +\\d+")
                .containsPattern("one caller: 60 sessions, abandoned +180 +\\d+");
    }
}
