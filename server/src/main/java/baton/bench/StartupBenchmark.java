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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * From process start to the {@code initialize} answer over stdio, in one run: {@code baton serve
 * --stdio} with the embedded PostgreSQL already running (the plain JVM, with the class-data-sharing
 * archive the launcher makes on JDKs before 24, and with a JDK 24+ AOT cache when such a JDK is given; each with the
 * JVM options the launcher gives a stdio server), against the
 * reference Node server {@code server-everything} and a one-tool server of the Python SDK. Every
 * round starts each server once, in an order that moves on by one each round, so that a slow spell
 * of the machine is spread over all of them; the ratios are taken per round too, to show the noise.
 */
public final class StartupBenchmark {

    /** JVM logging to stderr only: in stdio mode one stray line on stdout breaks the client. */
    public static final List<String> QUIET_JVM = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");
    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}";
    /** What the launcher adds for {@code serve --stdio} (see {@code baton}): the quick JIT only. */
    public static final List<String> STDIO_JVM = List.of("-XX:TieredStopAtLevel=1");
    private static final List<String> SERVE = List.of("serve", "--stdio", "--user", "bench", "--project", "bench-startup");

    /** One kind of server started in every round. */
    private record Contender(String name, List<String> command, Map<String, String> env) {
    }

    /**
     * @param references where the reference servers are installed, or null to leave them out
     * @param aotJava a {@code java} of JDK 24 or newer to measure Baton with an AOT cache, or null
     */
    public record Options(int rounds, ReferenceServers references, Path aotJava) {
    }

    private final Path jar;
    private final Map<String, String> env;
    private final PrintStream out;

    /** @param env the environment of every Baton process started (it names the data directory) */
    public StartupBenchmark(Path jar, Map<String, String> env, PrintStream out) {
        this.jar = jar;
        this.env = env;
        this.out = out;
    }

    public void run(Options options, Path workDir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int feature = Runtime.version().feature();
        List<Contender> contenders = new ArrayList<>();
        List<ReferenceServers.Server> references = new ArrayList<>();
        if (options.references() != null) {
            references.add(options.references().everything());
            references.add(options.references().python(workDir));
            for (ReferenceServers.Server reference : references) {
                if (reference.installed()) {
                    contenders.add(new Contender(reference.name(), reference.command(), System.getenv()));
                } else {
                    out.println("left out: " + reference.missing());
                }
            }
        }
        contenders.add(baton("Baton, JDK " + feature, java, List.of()));
        Path archive = workDir.resolve("baton.jsa");
        long trainStart = System.nanoTime();
        cdsArchive(java, workDir.resolve("baton.classlist"), archive);
        out.printf("CDS archive: %d MiB, made in %.1f s (baton cds-train, then a static dump)%n",
                Files.size(archive) >> 20, (System.nanoTime() - trainStart) / 1e9);
        contenders.add(baton("Baton, JDK " + feature + " + CDS archive", java,
                List.of("-XX:SharedArchiveFile=" + archive)));
        if (options.aotJava() != null) {
            contenders.add(aotContender(options.aotJava().toString(), workDir));
        } else if (feature >= 24) {
            contenders.add(aotContender(java, workDir));
        }

        for (Contender contender : contenders) {
            startUp(contender); // untimed: the page cache holds every jar, archive and script
        }
        int n = contenders.size();
        long[][] times = new long[n][options.rounds()];
        for (int round = 0; round < options.rounds(); round++) {
            for (int k = 0; k < n; k++) {
                int c = (round + k) % n;
                times[c][round] = startUp(contenders.get(c));
            }
        }
        report(contenders, times, options.rounds());
    }

    private void report(List<Contender> contenders, long[][] times, int rounds) {
        out.printf("%-44s %10s %10s %10s%n", "stdio start → initialize answer", "median ms", "min ms", "max ms");
        for (int c = 0; c < contenders.size(); c++) {
            out.printf("%-44s %10.0f %10.0f %10.0f%n", contenders.get(c).name(), BenchData.median(times[c]) / 1e6,
                    BenchData.percentile(times[c], 0.001) / 1e6, BenchData.percentile(times[c], 100) / 1e6);
        }
        out.printf("(%d rounds, the servers taking turns)%n", rounds);
        List<Integer> batons = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int c = 0; c < contenders.size(); c++) {
            (contenders.get(c).name().startsWith("Baton") ? batons : others).add(c);
        }
        for (int other : others) {
            for (int baton : batons) {
                ratio(contenders.get(baton).name(), times[baton], contenders.get(other).name(), times[other]);
            }
        }
        if (batons.size() > 1) {
            for (int baton : batons.subList(1, batons.size())) {
                ratio(contenders.get(baton).name(), times[baton], contenders.get(batons.get(0)).name(),
                        times[batons.get(0)]);
            }
        }
    }

    /** The ratio of the medians, and the range of the per-round ratios (how noisy the machine was). */
    private void ratio(String name, long[] times, String reference, long[] referenceTimes) {
        long[] perRound = new long[times.length];
        for (int i = 0; i < times.length; i++) {
            perRound[i] = Math.round(1000.0 * times[i] / referenceTimes[i]);
        }
        out.printf("%s takes %.2fx as long as %s (per round %.2f–%.2fx)%n", name,
                BenchData.median(times) / BenchData.median(referenceTimes), reference,
                BenchData.percentile(perRound, 0.001) / 1000, BenchData.percentile(perRound, 100) / 1000);
    }

    private Contender baton(String name, String java, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(QUIET_JVM);
        command.addAll(jvmOptions);
        command.addAll(STDIO_JVM);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(SERVE);
        return new Contender(name, command, env);
    }

    /**
     * Baton with an AOT cache (JEP 483) made by the same training run: JDK 25 makes it in one go
     * ({@code -XX:AOTCacheOutput}), JDK 24 records a configuration first and makes the cache from it.
     */
    private Contender aotContender(String java, Path workDir) throws IOException, InterruptedException {
        int feature = javaFeature(java);
        if (feature < 24) {
            throw new IllegalArgumentException(java + " is JDK " + feature + "; an AOT cache needs JDK 24 or newer.");
        }
        Path cache = workDir.resolve("baton.aot");
        long start = System.nanoTime();
        if (feature >= 25) {
            train(java, List.of("-XX:AOTCacheOutput=" + cache), cache);
        } else {
            Path config = workDir.resolve("baton.aotconf");
            train(java, List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config), config);
            Process create = process(java, List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
                    "-XX:AOTCache=" + cache), List.of("--version"));
            create.waitFor();
        }
        if (!Files.exists(cache)) {
            throw new IllegalStateException(java + " made no AOT cache");
        }
        out.printf("AOT cache (JDK %d): %d MiB, made in %.1f s (baton cds-train)%n", feature, Files.size(cache) >> 20,
                (System.nanoTime() - start) / 1e9);
        return baton("Baton, JDK " + feature + " + AOT cache", java, List.of("-XX:AOTCache=" + cache));
    }

    /**
     * The launcher's archive: a static one, dumped from the classes the training loaded. (A dynamic
     * archive leaves out picocli's classes, which are of Java 5's format.)
     */
    private void cdsArchive(String java, Path classList, Path archive) throws IOException, InterruptedException {
        train(java, List.of("-XX:DumpLoadedClassList=" + classList), classList);
        List<String> dump = new ArrayList<>(List.of(java));
        dump.addAll(QUIET_JVM);
        dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + archive,
                "-cp", jar.toString()));
        int exit = new ProcessBuilder(dump).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
        if (exit != 0 || !Files.exists(archive)) {
            throw new IllegalStateException("the static CDS dump exited with " + exit + " and left no archive");
        }
    }

    private void train(String java, List<String> jvmOptions, Path made) throws IOException, InterruptedException {
        int exit = process(java, jvmOptions, List.of("cds-train")).waitFor();
        if (exit != 0 || !Files.exists(made)) {
            throw new IllegalStateException("the training run (" + String.join(" ", jvmOptions) + ") exited with "
                    + exit + " and left no " + made.getFileName());
        }
    }

    private static int javaFeature(String java) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        Matcher m = Pattern.compile("version \"(\\d+)").matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException(java + " does not say its version: " + text.strip());
        }
        return Integer.parseInt(m.group(1));
    }

    /** Nanoseconds from starting the server to reading its answer to initialize. */
    private long startUp(Contender contender) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(contender.command()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(contender.env());
        long start = System.nanoTime();
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream();
                BufferedReader stdout = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write((INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            String answer = stdout.readLine();
            while (answer != null && !answer.contains("\"id\":1")) {
                answer = stdout.readLine(); // a notification or a log line before the answer
            }
            long elapsed = System.nanoTime() - start;
            if (answer == null || !answer.contains("\"result\"")) {
                throw new IllegalStateException(contender.name() + " gave no initialize answer: " + answer);
            }
            return elapsed;
        } finally {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private Process process(String java, List<String> jvmOptions, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(QUIET_JVM);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }
}
