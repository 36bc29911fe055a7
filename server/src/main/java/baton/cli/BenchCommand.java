package baton.cli;

import baton.bench.ActivityBenchmark;
import baton.bench.DeleteBenchmark;
import baton.bench.ForkBenchmark;
import baton.bench.AuthBenchmark;
import baton.bench.HttpBenchmark;
import baton.bench.MemoryBenchmark;
import baton.bench.SessionsBenchmark;
import baton.bench.ReadBenchmark;
import baton.bench.ReferenceServers;
import baton.bench.StartupBenchmark;
import baton.bench.WebBenchmark;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton bench …}: measured figures, as ratios from one run (BENCHMARKS.md lists them). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run benchmarks on a throw-away embedded PostgreSQL (or --db-url) and print their figures.",
        subcommands = {BenchCommand.Fork.class, BenchCommand.Read.class, BenchCommand.Activity.class,
                BenchCommand.Delete.class, BenchCommand.Http.class,
                BenchCommand.Startup.class, BenchCommand.Memory.class, BenchCommand.Web.class,
                BenchCommand.Entitlement.class, BenchCommand.Sessions.class})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usage(spec);
    }

    /** What a benchmark runs on: its storage, and the environment of any Baton process it starts. */
    interface Bench {
        void run(Storage storage, Map<String, String> env, Path workDir) throws Exception;
    }

    /** Runs {@code bench} on {@code dbUrl}, or on a throw-away embedded PostgreSQL removed afterwards. */
    static int withStorage(String dbUrl, Bench bench) throws Exception {
        Path dir = Files.createTempDirectory("baton-bench");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("BATON_"));
        if (dbUrl != null) {
            env.put("BATON_DB_URL", dbUrl);
        } else {
            env.put("BATON_DATA_DIR", dir.resolve("pg").toString());
        }
        try (Storage storage = Storage.open(dbUrl, dir.resolve("pg"), 8)) {
            bench.run(storage, env, dir);
        } finally {
            if (dbUrl == null) {
                new EmbeddedPostgresServer(dir.resolve("pg")).stop();
            }
            deleteTree(dir);
        }
        return 0;
    }

    /** The jar this command runs from: the benchmarks that start Baton processes start this one. */
    static Path jar() {
        try {
            Path location = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!location.toString().endsWith(".jar")) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "This benchmark starts Baton processes, so run it from baton.jar (./baton bench …).");
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the jar's location is not a path", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    abstract static class Base implements Callable<Integer> {
        @Option(names = "--db-url", description = "Benchmark on this PostgreSQL instead of a throw-away embedded one.")
        String dbUrl;
    }

    @Command(name = "fork", mixinStandardHelpOptions = true,
            description = "Fork time by conversation size, against a row-by-row copy in the same run.")
    static final class Fork extends Base {
        @Option(names = "--sizes", split = ",", defaultValue = "100,1000,10000,100000",
                description = "Conversation sizes in messages, multiples of 4 (default: ${DEFAULT-VALUE}).")
        int[] sizes;

        @Option(names = "--repeats", defaultValue = "5", description = "Forks timed per size (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--no-row-by-row", negatable = true, defaultValue = "true",
                description = "Also time the row-by-row copy (default: on).")
        boolean rowByRow;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) ->
                    new ForkBenchmark(storage.database(), System.out).run(sizes, repeats, rowByRow));
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true,
            description = "One page of 200 messages read by another member, by size of the shared conversation.")
    static final class Read extends Base {
        @Option(names = "--sizes", split = ",", defaultValue = "1000,100000",
                description = "Conversation sizes; the first is the reference (default: ${DEFAULT-VALUE}).")
        int[] sizes;

        @Option(names = "--reads", defaultValue = "300", description = "Page reads timed per size and page (default: ${DEFAULT-VALUE}).")
        int reads;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) ->
                    new ReadBenchmark(storage.database(), System.out).run(sizes, reads));
        }
    }

    @Command(name = "activity", mixinStandardHelpOptions = true,
            description = "read_conversation by another member (recorded as activity) against the owner (not recorded).")
    static final class Activity extends Base {
        @Option(names = "--messages", defaultValue = "200", description = "Messages in the conversation read (default: ${DEFAULT-VALUE}).")
        int messages;

        @Option(names = "--threads", defaultValue = "4", description = "Concurrent readers (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds; each times every kind of reader once (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--block-ms", defaultValue = "2000", description = "Length of one timed block (default: ${DEFAULT-VALUE}).")
        long blockMillis;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) ->
                    new ActivityBenchmark(storage.database(), System.out).run(messages, threads, rounds, blockMillis));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "delete_conversation of a big conversation, and read latency of other conversations meanwhile.")
    static final class Delete extends Base {
        @Option(names = "--size", defaultValue = "100000", description = "Messages in the deleted conversation, a multiple of 4 (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--repeats", defaultValue = "3", description = "Deletes timed (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--readers", defaultValue = "2", description = "Threads reading other conversations (default: ${DEFAULT-VALUE}).")
        int readers;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) ->
                    new DeleteBenchmark(storage.database(), System.out).run(size, repeats, readers));
        }
    }

    @Command(name = "entitlement", mixinStandardHelpOptions = true,
            description = "Reads of a checked share (1,000 messages, 250 tool results, 25 distinct calls) by a new"
                    + " reader and again within the TTL, against the same read under policy all.")
    static final class Entitlement extends Base {
        @Option(names = "--rounds", defaultValue = "9", description = "New readers timed (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--warm-up", defaultValue = "600",
                description = "New readers read the same way first, untimed, so the figures are those of a server"
                        + " that has run these paths before (the first read levels off from about 600; default:"
                        + " ${DEFAULT-VALUE}).")
        int warmUp;

        @Option(names = "--upstream-delay-ms", defaultValue = "20",
                description = "How late the fixture upstream answers each call (default: ${DEFAULT-VALUE}).")
        long delayMillis;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) ->
                    new baton.bench.EntitlementBenchmark(storage.database(), System.out).run(warmUp, rounds, delayMillis));
        }
    }

    @Command(name = "http", mixinStandardHelpOptions = true,
            description = "ping against read_conversation over Streamable HTTP with concurrent MCP sessions; then ping with an OAuth JWT, a Baton token and no token check.")
    static final class Http extends Base {
        @Option(names = "--clients", defaultValue = "16", description = "Concurrent MCP sessions (default: ${DEFAULT-VALUE}).")
        int clients;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per call (default: ${DEFAULT-VALUE}).")
        int seconds;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) -> {
                Duration warmUp = Duration.ofSeconds(Math.max(1, seconds / 3));
                new HttpBenchmark(storage.database(), System.out).run(clients, warmUp, Duration.ofSeconds(seconds));
                new AuthBenchmark(storage.database(), System.out).run(clients, warmUp, Duration.ofSeconds(seconds));
            });
        }
    }

    @Command(name = "web", mixinStandardHelpOptions = true,
            description = "Time to first byte of the page /c/{id} against read_conversation over MCP, same conversation and reader.")
    static final class Web extends Base {
        @Option(names = "--size", defaultValue = "1000", description = "Messages in the conversation (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--requests", defaultValue = "200", description = "Requests timed of each (default: ${DEFAULT-VALUE}).")
        int requests;

        @Override
        public Integer call() throws Exception {
            return withStorage(dbUrl, (storage, env, dir) -> new WebBenchmark(storage.database(), System.out)
                    .run(size, requests));
        }
    }

    @Command(name = "startup", mixinStandardHelpOptions = true,
            description = "serve --stdio to the initialize answer (plain, with the CDS archive, with a JDK 24+ AOT cache),"
                    + " against the reference servers server-everything (Node) and the Python SDK, taking turns.")
    static final class Startup extends Base {
        @Option(names = {"--rounds", "--runs"}, defaultValue = "10",
                description = "Rounds; each starts every server once (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--references", paramLabel = "DIR",
                description = "Where the reference servers are installed (default: ${XDG_CACHE_HOME:-~/.cache}/baton/bench-references).")
        Path references;

        @Option(names = "--install-references",
                description = "First install the reference servers there, from npm and pip.")
        boolean install;

        @Option(names = "--no-references", description = "Measure Baton only.")
        boolean noReferences;

        @Option(names = "--aot-java", paramLabel = "JAVA",
                description = "A java of JDK 24 or newer: also measure Baton with an AOT cache (default: the running JVM when it is 24+).")
        Path aotJava;

        @Override
        public Integer call() throws Exception {
            Path jar = jar();
            ReferenceServers servers = noReferences ? null
                    : new ReferenceServers(references != null ? references : ReferenceServers.defaultDir(System.getenv()));
            if (servers != null && install) {
                servers.install(System.err);
            }
            StartupBenchmark.Options options = new StartupBenchmark.Options(rounds, servers, aotJava);
            return withStorage(dbUrl, (storage, env, dir) -> new StartupBenchmark(jar, env, System.out).run(options, dir));
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Resident size of serve --http after many conversations and with many MCP sessions open.")
    static final class Memory extends Base {
        @Option(names = "--conversations", defaultValue = "10000", description = "Conversations to create (default: ${DEFAULT-VALUE}).")
        int conversations;

        @Option(names = "--sessions", defaultValue = "100", description = "MCP sessions held open (default: ${DEFAULT-VALUE}).")
        int sessions;

        @Option(names = "--jvm-option", paramLabel = "OPTION",
                description = "An option for the measured JVM, e.g. --jvm-option=-Xmx256m (repeatable; default: none).")
        List<String> jvmOptions = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Path jar = jar();
            return withStorage(dbUrl, (storage, env, dir) ->
                    new MemoryBenchmark(jar, env, storage.database(), System.out).run(conversations, sessions, jvmOptions));
        }
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true,
            description = "Resident size of serve --http while clients open MCP sessions and abandon them.")
    static final class Sessions extends Base {
        @Option(names = "--sessions", defaultValue = "10000", description = "Sessions opened per round (default: ${DEFAULT-VALUE}).")
        int sessions;

        @Option(names = "--rounds", defaultValue = "3", description = "Rounds of sessions from new callers (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--jvm-option", paramLabel = "OPTION",
                description = "An option for the measured JVM, e.g. --jvm-option=-Xmx512m (repeatable; default: none).")
        List<String> jvmOptions = new ArrayList<>();

        @Option(names = "--serve-option", paramLabel = "OPTION",
                description = "An option for the measured serve --http, e.g. --serve-option=--max-sessions=1000000 (repeatable).")
        List<String> serveOptions = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Path jar = jar();
            return withStorage(dbUrl, (storage, env, dir) -> new SessionsBenchmark(jar, env, storage.database(),
                    System.out).run(sessions, rounds, jvmOptions, serveOptions));
        }
    }
}
