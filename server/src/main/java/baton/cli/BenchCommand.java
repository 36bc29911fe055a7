package baton.cli;

import baton.bench.ForkBenchmark;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton bench fork}: measured figures, as ratios from one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run benchmarks on a throw-away embedded PostgreSQL (or --db-url) and print their figures.",
        subcommands = {BenchCommand.Fork.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.err);
    }

    @Command(name = "fork", mixinStandardHelpOptions = true,
            description = "Fork time by conversation size, against a row-by-row copy in the same run.")
    static final class Fork implements Callable<Integer> {

        @Option(names = "--sizes", split = ",", defaultValue = "100,1000,10000",
                description = "Conversation sizes in messages, multiples of 4 (default: ${DEFAULT-VALUE}).")
        int[] sizes;

        @Option(names = "--repeats", defaultValue = "5", description = "Forks timed per size (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--no-row-by-row", negatable = true, defaultValue = "true",
                description = "Also time the row-by-row copy (default: on).")
        boolean rowByRow;

        @Option(names = "--db-url", description = "Benchmark on this PostgreSQL instead of a throw-away embedded one.")
        String dbUrl;

        @Override
        public Integer call() throws IOException {
            Path dir = dbUrl == null ? Files.createTempDirectory("baton-bench") : null;
            try (Storage storage = Storage.open(dbUrl, dir, 4)) {
                new ForkBenchmark(storage.database(), System.out).run(sizes, repeats, rowByRow);
            } finally {
                if (dir != null) {
                    new EmbeddedPostgresServer(dir).stop();
                    deleteTree(dir);
                }
            }
            return 0;
        }

        private static void deleteTree(Path dir) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
