package baton.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton serve --stdio} from process start to the {@code initialize} answer, with the
 * embedded PostgreSQL already running: the JVM as it comes, and with a dynamic class-data-sharing
 * archive made by the same training run the launcher uses ({@code baton cds-train}). Runs of the
 * two kinds alternate, so both see the same machine.
 */
public final class StartupBenchmark {

    /** JVM logging to stderr only: in stdio mode one stray line on stdout breaks the client. */
    public static final List<String> QUIET_JVM = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");
    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}";

    private final Path jar;
    private final Map<String, String> env;
    private final PrintStream out;

    /** @param env the environment of every Baton process started (it names the data directory) */
    public StartupBenchmark(Path jar, Map<String, String> env, PrintStream out) {
        this.jar = jar;
        this.env = env;
        this.out = out;
    }

    public void run(int runs, Path workDir) throws IOException, InterruptedException {
        Path archive = workDir.resolve("baton.jsa");
        long trainStart = System.nanoTime();
        int exit = process(List.of("-XX:ArchiveClassesAtExit=" + archive), "cds-train").waitFor();
        if (exit != 0 || !Files.exists(archive)) {
            throw new IllegalStateException("the training run exited with " + exit + " and left no archive");
        }
        out.printf("CDS archive: %d MiB, made in %.1f s (baton cds-train)%n", Files.size(archive) >> 20,
                (System.nanoTime() - trainStart) / 1e9);
        List<String> withArchive = List.of("-XX:SharedArchiveFile=" + archive);
        startUp(List.of()); // one untimed run of each: the page cache holds the jar and the archive
        startUp(withArchive);
        long[] plain = new long[runs];
        long[] shared = new long[runs];
        for (int i = 0; i < runs; i++) {
            plain[i] = startUp(List.of());
            shared[i] = startUp(withArchive);
        }
        double plainMs = BenchData.median(plain) / 1e6;
        double sharedMs = BenchData.median(shared) / 1e6;
        out.printf("%-28s %12s %12s%n", "serve --stdio → initialize", "median ms", "max ms");
        out.printf("%-28s %12.0f %12.0f%n", "JDK " + Runtime.version().feature() + " plain", plainMs,
                BenchData.percentile(plain, 100) / 1e6);
        out.printf("%-28s %12.0f %12.0f%n", "with the CDS archive", sharedMs, BenchData.percentile(shared, 100) / 1e6);
        out.printf("the archive takes %.0f%% off the start-up (%.2fx as fast)%n", 100 * (1 - sharedMs / plainMs),
                plainMs / sharedMs);
    }

    /** Nanoseconds from starting {@code baton serve --stdio} to reading its answer to initialize. */
    private long startUp(List<String> jvmOptions) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = process(jvmOptions, "serve", "--stdio", "--user", "bench", "--project", "bench-startup");
        try (OutputStream stdin = process.getOutputStream();
                BufferedReader stdout = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write((INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            String answer = stdout.readLine();
            long elapsed = System.nanoTime() - start;
            if (answer == null || !answer.contains("\"result\"")) {
                throw new IllegalStateException("no initialize answer: " + answer);
            }
            return elapsed;
        } finally {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private Process process(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(QUIET_JVM);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }
}
