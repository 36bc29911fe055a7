package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The end-to-end cases of {@code src/test/python} (the official Python MCP SDK as the client),
 * run once per transport against the built jar. The Python runner runs every case and writes one
 * JSON line per case; each becomes a test of its own here, so Maven names every failing case with
 * its reason, and the cases expected once other work is merged show as skipped with theirs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PythonClientSuite {

    private static final ObjectMapper JSON = new ObjectMapper();

    protected Path dataHome;
    protected SlowModel model;

    /** "stdio" or "http". */
    protected abstract String transport();

    /** Arguments of the runner for this transport (the URL of a running server). */
    protected List<String> transportArguments() {
        return List.of();
    }

    /** What every Baton process of the suite gets in its environment: the stub model. */
    protected Map<String, String> modelEnv() {
        return Map.of("BATON_MODEL_BASE_URL", model.baseUrl(), "BATON_MODEL_NAME", "slow-model",
                "BATON_MODEL_API_KEY", "sk-secret-never-shown");
    }

    @BeforeAll
    void dataHomeAndModel() throws Exception {
        dataHome = Files.createTempDirectory("baton-python-" + transport());
        model = new SlowModel();
    }

    @AfterAll
    void stopDatabaseAndModel() {
        model.close();
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    @TestFactory
    Stream<DynamicTest> pythonSdkCases() throws Exception {
        Path python = ExternalTools.python();
        Path out = ExternalTools.target().resolve("python-suite");
        Files.createDirectories(out);
        Path report = out.resolve(transport() + ".jsonl");
        Files.deleteIfExists(report);
        List<String> command = new ArrayList<>(List.of(python.toString(),
                ExternalTools.pythonSources().resolve("harness.py").toString(),
                "--transport", transport(), "--java", BatonLauncher.java(),
                "--jar", Path.of(BatonLauncher.jar()).toAbsolutePath().toString(),
                "--model-url", model.baseUrl(), "--report", report.toString(),
                "--logs", out.resolve(transport() + "-logs").toString()));
        command.addAll(transportArguments());
        if (Boolean.getBoolean("baton.python.runPending")) {
            command.add("--run-pending");
        }
        String only = System.getProperty("baton.python.only");
        if (only != null && !only.isBlank()) {
            command.addAll(List.of("--only", only));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(BatonLauncher.env(dataHome, Map.of()));
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // nothing written under src/
        long started = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    System.out.println("[python " + transport() + "] " + line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "python-output");
        pump.start();
        boolean ended = process.waitFor(20, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        pump.join(10_000);
        System.out.printf("python suite over %s: %d s%n", transport(), (System.nanoTime() - started) / 1_000_000_000);
        int exit = ended ? process.exitValue() : -1;

        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = Files.exists(report) ? Files.readAllLines(report) : List.of();
        int failed = 0;
        for (String line : lines) {
            JsonNode result = JSON.readTree(line);
            String name = result.path("name").asText();
            String status = result.path("status").asText();
            String message = result.path("message").asText();
            failed += "FAIL".equals(status) ? 1 : 0;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                switch (status) {
                    case "PASS" -> { }
                    case "SKIP" -> Assumptions.abort(name + " over " + transport() + ": " + message);
                    default -> Assertions.fail(name + " over " + transport() + ": " + message);
                }
            }));
        }
        int failures = failed;
        tests.add(DynamicTest.dynamicTest("the python runner ended cleanly", () -> {
            assertThat(ended).as("the python suite ended within 20 minutes").isTrue();
            assertThat(lines).as("the python suite reported its cases (see its output above)").isNotEmpty();
            assertThat(exit).as("the python runner's exit status").isEqualTo(failures > 0 ? 1 : 0);
        }));
        return tests.stream();
    }
}
