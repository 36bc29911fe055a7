package baton.e2e;

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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The official MCP conformance suite (npm {@code @modelcontextprotocol/conformance}, on Node 22
 * from the npm registry) against {@code baton serve --http}, through a loopback proxy that adds
 * the bearer token. Every scenario becomes a test: it must pass, unless {@link ConformanceScenarios}
 * lists it as needing the suite's fixture tools (skipped) or as waiting for work on another branch
 * (skipped while it fails; a listed scenario that passes passes, with a note to take it off the list).
 */
class ConformanceIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> conformanceScenarios() throws Exception {
        List<Path> tools = ExternalTools.conformance();
        Path dataHome = Files.createTempDirectory("baton-conformance");
        Path results = ExternalTools.target().resolve("conformance-results");
        deleteTree(results);
        Files.createDirectories(results);
        long started = System.nanoTime();
        int exit;
        try (BatonLauncher.HttpInstance instance = BatonLauncher.http(dataHome, Map.of(), "conformance")) {
            BatonLauncher.Result token = BatonLauncher.run(dataHome, Map.of(), "token", "create", "--user", "conformance",
                    "--project", "conformance", "--role", "editor", "--label", "conformance-suite");
            Assertions.assertEquals(0, token.status(), token.stderr());
            try (BearerProxy proxy = new BearerProxy(instance.mcpUrl(), token.stdout().strip())) {
                exit = run(List.of(tools.get(0).toString(), tools.get(1).toString(), "server",
                        "--url", proxy.url(instance.mcpUrl()).toString(), "--suite", "all",
                        "-o", results.toString()), tools.get(0).getParent());
            }
        } finally {
            new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
        }
        System.out.printf("conformance suite: %d s, exit status %d%n", (System.nanoTime() - started) / 1_000_000_000, exit);

        Map<String, List<String>> failures = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(results)) {
            for (Path dir : dirs.sorted().toList()) {
                Path checks = dir.resolve("checks.json");
                String name = dir.getFileName().toString().replaceFirst("^server-", "")
                        .replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
                if (!Files.exists(checks)) {
                    continue;
                }
                List<String> failed = new ArrayList<>();
                for (JsonNode check : JSON.readTree(checks.toFile())) {
                    String status = check.path("status").asText();
                    String line = check.path("id").asText() + ": " + check.path("errorMessage").asText(
                            check.path("description").asText());
                    if ("FAILURE".equals(status)) {
                        failed.add(line);
                    } else if ("WARNING".equals(status)) {
                        System.out.println("conformance warning in " + name + ": " + line);
                    }
                }
                failures.put(name, failed);
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (var scenario : failures.entrySet()) {
            String name = scenario.getKey();
            List<String> failed = scenario.getValue();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                String known = ConformanceScenarios.KNOWN.get(name);
                if (failed.isEmpty()) {
                    if (known != null) {
                        System.out.println("conformance scenario " + name + " passes now; take it off "
                                + "ConformanceScenarios.KNOWN (" + known + ")");
                    }
                    return;
                }
                if (known != null) {
                    Assumptions.abort(name + ": " + known + "; failing checks: " + String.join("; ", failed));
                }
                Assertions.fail("conformance scenario " + name + " failed: " + String.join("; ", failed));
            }));
        }
        tests.add(DynamicTest.dynamicTest("the conformance suite ran every scenario", () -> {
            Assertions.assertTrue(failures.size() >= 20, "scenarios with results: " + failures.keySet());
        }));
        return tests.stream();
    }

    private static int run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    System.out.println("[conformance] " + line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "conformance-output");
        pump.start();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the conformance suite did not end within 15 minutes");
        }
        pump.join(10_000);
        return process.exitValue();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
