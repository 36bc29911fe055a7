package baton.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the cluster of an {@link EmbeddedPostgresServer} in {@code <baseDir>/data} on first use:
 * initdb with a superuser password from the start, then Baton's pg_hba.conf (see
 * {@link PostgresRoles#writePgHba}), in a scratch directory renamed into place. Only used under the
 * {@link StartLock}.
 */
final class PostgresCluster {

    private static final Logger log = LoggerFactory.getLogger(PostgresCluster.class);

    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);

    private final Path baseDir;
    private final Path dataDir;
    private final PostgresSecrets secrets;
    private final PostgresTools tools;

    PostgresCluster(Path baseDir, Path dataDir, PostgresSecrets secrets, PostgresTools tools) {
        this.baseDir = baseDir;
        this.dataDir = dataDir;
        this.secrets = secrets;
        this.tools = tools;
    }

    /**
     * Runs initdb unless the data directory holds a cluster already.
     *
     * @throws IllegalStateException when the data directory is neither empty nor a cluster, or
     *                               initdb fails
     */
    void initdbIfNeeded() throws IOException, InterruptedException {
        if (Files.exists(dataDir.resolve("PG_VERSION"))) {
            return;
        }
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException("PostgreSQL in " + dataDir + " cannot be initialised because "
                            + "the directory is not empty and has no PG_VERSION.");
                }
            }
            Files.delete(dataDir);
        }
        // initdb into a scratch directory and rename it, so a crash never leaves a half-made cluster
        // in data/ (it is the only place we look). We hold the start lock, so the name is ours.
        Path scratch = baseDir.resolve("data.initdb");
        deleteRecursively(scratch);
        tools.pgHome(); // unpack first, so the log reads in order
        secrets.superuserOrCreate();
        log.info("Creating PostgreSQL cluster in {}", dataDir);
        // No trust, not even for a moment: the superuser has a password from the first start on.
        int exit = tools.run("initdb", List.of("--auth=scram-sha-256", "--pwfile=" + secrets.superuserFile(),
                "-U", PostgresRoles.SUPERUSER, "-E", "UTF-8", "--locale=C", "-D", scratch.toString()), INITDB_TIMEOUT);
        if (exit != 0) {
            throw tools.failure("could not be initialised (initdb exited with " + exit + ")");
        }
        PostgresRoles.writePgHba(scratch);
        Files.move(scratch, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
