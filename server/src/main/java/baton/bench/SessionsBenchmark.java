package baton.bench;

import baton.auth.Tokens;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resident size of a {@code baton serve --http} process while clients open MCP sessions and never
 * close them: rounds of {@code sessions} sessions each (spread over callers holding 25 each, so
 * the per-caller cap is not what bounds them), then one caller opening as many. With the limits,
 * the instance keeps at most {@code --max-sessions} and each caller at most
 * {@code --max-sessions-per-caller}, so the size levels off; the process is started with
 * {@code --rate-limit 0} so that the sessions, not the request rate, are what is measured.
 */
public final class SessionsBenchmark {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
             "capabilities":{},"clientInfo":{"name":"bench-sessions","version":"1"}}}""";
    private static final int PER_CALLER = 25;

    private final Path jar;
    private final Map<String, String> env;
    private final Database db;
    private final PrintStream out;

    public SessionsBenchmark(Path jar, Map<String, String> env, Database db, PrintStream out) {
        this.jar = jar;
        this.env = env;
        this.db = db;
        this.out = out;
    }

    public void run(int sessions, int rounds, List<String> jvmOptions, List<String> serveOptions) throws Exception {
        Tokens tokens = new Tokens(db, Clock.systemUTC());
        String project = "bench-sessions-" + UUID.randomUUID();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--http", "--port", "0", "--rate-limit", "0"));
        command.addAll(serveOptions);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            URI url = ServedProcess.url(process, "bench-sessions-stderr");
            Thread.sleep(2000);
            out.printf("%-58s %8s %8s %8s%n", "baton serve --http --rate-limit 0 " + String.join(" ", serveOptions)
                    + (jvmOptions.isEmpty() ? "" : " (JVM: " + String.join(" ", jvmOptions) + ")"), "opened", "RSS MiB", "live MiB");
            out.printf("%-58s %8d %8d %8s%n", "idle after start", 0, ServedProcess.rssMiB(process), liveMiB(process));
            long opened = 0;
            for (int round = 1; round <= rounds; round++) {
                List<String> callers = new ArrayList<>();
                for (int i = 0; i < (sessions + PER_CALLER - 1) / PER_CALLER; i++) {
                    callers.add(tokens.create(new Identity("caller-" + round + "-" + i, project, Role.VIEWER), "bench")
                            .secret());
                }
                long started = System.nanoTime();
                int failed = open(http, url, sessions, n -> callers.get(n / PER_CALLER));
                opened += sessions;
                out.printf("%-58s %8d %8d %8s%n", "round " + round + ": " + sessions + " sessions of " + callers.size()
                        + " callers, abandoned" + (failed > 0 ? " (" + failed + " refused)" : "")
                        + " in " + (System.nanoTime() - started) / 1_000_000_000 + " s", opened, ServedProcess.rssMiB(process),
                        liveMiB(process));
            }
            String one = tokens.create(new Identity("one-caller", project, Role.VIEWER), "bench").secret();
            int failed = open(http, url, sessions, n -> one);
            opened += sessions;
            out.printf("%-58s %8d %8d %8s%n", "one caller: " + sessions + " sessions, abandoned"
                    + (failed > 0 ? " (" + failed + " refused)" : ""), opened, ServedProcess.rssMiB(process), liveMiB(process));
            out.printf("(peak RSS %d MiB)%n", ServedProcess.peakRssMiB(process));
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Opens {@code count} sessions from 8 threads, the n-th as {@code token.apply(n)}; how many were refused. */
    private static int open(HttpClient http, URI url, int count, java.util.function.IntFunction<String> token)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int n; (n = next.getAndIncrement()) < count; ) {
                        HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                                .header("Authorization", "Bearer " + token.apply(n))
                                .header("Content-Type", "application/json")
                                .header("Accept", "application/json, text/event-stream")
                                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZE)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (answer.statusCode() != 200) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return refused.get();
    }

    /**
     * The heap the process still uses after a full collection (what it keeps, not what it has not
     * collected yet), from {@code jcmd}; "?" when jcmd is not there.
     */
    private static String liveMiB(Process process) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return "?";
        }
        try {
            String pid = String.valueOf(process.pid());
            run(jcmd.toString(), pid, "GC.run");
            String info = run(jcmd.toString(), pid, "GC.heap_info");
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
            return used.find() ? String.valueOf(Long.parseLong(used.group(1)) >> 10) : "?";
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "?";
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return text;
    }
}
