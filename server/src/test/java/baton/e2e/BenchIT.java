package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmarks that start Baton processes, on tiny sizes: they run and print their figures. */
class BenchIT {

    @Test
    void startupComparesThePlainJvmWithTheCdsArchive() throws Exception {
        BatonLauncher.Result result = BatonLauncher.run(Files.createTempDirectory("bench-it"), Map.of(),
                "bench", "startup", "--runs", "1");
        assertThat(result.status()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("CDS archive:", "JDK ", "with the CDS archive", "as fast)");
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
}
