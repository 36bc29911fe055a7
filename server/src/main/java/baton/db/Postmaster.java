package baton.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The postmaster process of an {@link EmbeddedPostgresServer}: finds the one that serves our data
 * directory (through {@code postmaster.pid} and a probe that proves the server is ours), waits for
 * one that is busy starting or recovering, kills one that stays silent, removes a postmaster.pid
 * that no live postmaster owns, and starts and stops it with {@code pg_ctl}. All but
 * {@link #answeringPort()} run under the {@link StartLock}.
 */
final class Postmaster {

    private static final Logger log = LoggerFactory.getLogger(Postmaster.class);

    private static final String SUPERUSER = PostgresRoles.SUPERUSER;
    private static final String DATABASE = PostgresRoles.DATABASE;
    private static final int PG_CTL_WAIT_SECONDS = PostgresTools.PG_CTL_WAIT_SECONDS;
    /** How long a live postmaster of our data directory may stay silent before we call it hung. */
    private static final Duration SILENCE_GRACE = Duration.ofSeconds(10);
    /** How long we wait for a postmaster that says it is starting, recovering or shutting down. */
    private static final Duration NOT_READY_LIMIT = Duration.ofMinutes(2);
    private static final int START_ATTEMPTS = 3;

    private final Path dataDir;
    private final Path logFile;
    private final PostgresSecrets secrets;
    private final PostgresRoles roles;
    private final PostgresTools tools;
    private final RememberedPort rememberedPort;

    Postmaster(Path dataDir, Path logFile, PostgresSecrets secrets, PostgresRoles roles, PostgresTools tools,
               RememberedPort rememberedPort) {
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.secrets = secrets;
        this.roles = roles;
        this.tools = tools;
        this.rememberedPort = rememberedPort;
    }

    /** The port of a live postmaster that answers a query for this data directory, without waiting. */
    OptionalInt answeringPort() {
        Optional<PidFile> pidFile = readPidFile();
        if (pidFile.isEmpty() || probe(pidFile.get().port()) != Probe.ANSWERS) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(pidFile.get().port());
    }

    /**
     * Stops the server with {@code pg_ctl stop -m fast} (active sessions are disconnected); does
     * nothing when no postmaster of this data directory is alive.
     *
     * @throws IllegalStateException when pg_ctl fails to stop the server
     */
    void stop() throws IOException, InterruptedException {
        Optional<ProcessHandle> postmaster = readPidFile().flatMap(p -> ourPostmaster(p.pid()));
        if (postmaster.isEmpty()) {
            log.debug("PostgreSQL for {} is not running; nothing to stop", dataDir);
            return;
        }
        log.info("Stopping PostgreSQL for {} (postmaster {})", dataDir, postmaster.get().pid());
        int exit = tools.pgCtl(List.of("stop", "-D", dataDir.toString(), "-m", "fast",
                "-w", "-t", String.valueOf(PG_CTL_WAIT_SECONDS)));
        if (exit != 0) {
            throw tools.failure("could not be stopped (pg_ctl exited with " + exit + ")");
        }
    }

    // ---- detection and stale-state recovery ------------------------------------------------------

    /**
     * The port of a server answering for our data directory, after waiting for a postmaster that is
     * busy starting or stopping, killing one that stays silent, and removing a postmaster.pid that
     * no live postmaster owns any more.
     */
    OptionalInt findRunningPort() throws IOException, InterruptedException {
        Optional<PidFile> pidFile = readPidFile();
        if (pidFile.isEmpty()) {
            return OptionalInt.empty();
        }
        if (probe(pidFile.get().port()) == Probe.ANSWERS) {
            return OptionalInt.of(pidFile.get().port());
        }
        Optional<ProcessHandle> postmaster = ourPostmaster(pidFile.get().pid());
        if (postmaster.isPresent()) {
            OptionalInt port = awaitOrKill(postmaster.get());
            if (port.isPresent()) {
                return port;
            }
        }
        // No postmaster of ours is alive any more (killed with -9, or the PID now belongs to another
        // process): PostgreSQL refuses to start while the PID in the file is alive, so remove it.
        if (Files.deleteIfExists(dataDir.resolve("postmaster.pid"))) {
            log.info("Removed stale {}", dataDir.resolve("postmaster.pid"));
        }
        return OptionalInt.empty();
    }

    /**
     * Waits while our postmaster says it is not ready (crash recovery may take a while, killing it
     * would only restart it); kills it when it stays silent (stopped, hung). Returns its port when
     * it starts answering, or empty once it is gone.
     */
    private OptionalInt awaitOrKill(ProcessHandle postmaster) throws IOException, InterruptedException {
        log.info("PostgreSQL postmaster {} for {} does not answer yet; waiting", postmaster.pid(), dataDir);
        long start = System.nanoTime();
        long lastReply = start;
        while (postmaster.isAlive()) {
            int port = readPidFile().map(PidFile::port).orElse(-1);
            Probe probe = probe(port);
            long now = System.nanoTime();
            if (probe == Probe.ANSWERS) {
                return OptionalInt.of(port);
            } else if (probe == Probe.NOT_READY) {
                lastReply = now;
            }
            if (now - lastReply > SILENCE_GRACE.toNanos()) {
                killUnresponsive(postmaster);
                break;
            }
            if (now - start > NOT_READY_LIMIT.toNanos()) {
                throw tools.failure("is still not ready after " + NOT_READY_LIMIT.toSeconds() + " s (postmaster "
                        + postmaster.pid() + ")");
            }
            Thread.sleep(250);
        }
        return OptionalInt.empty();
    }

    /**
     * Immediate shutdown lets the postmaster take its children down (they hold shared memory);
     * SIGKILL is the last resort.
     */
    private void killUnresponsive(ProcessHandle postmaster) throws IOException, InterruptedException {
        log.warn("PostgreSQL postmaster {} for {} does not answer; shutting it down", postmaster.pid(), dataDir);
        tools.pgCtl(List.of("stop", "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "5"));
        if (postmaster.isAlive()) {
            postmaster.destroyForcibly();
        }
        try {
            postmaster.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw tools.failure("could not be recovered because postmaster " + postmaster.pid() + " does not exit");
        }
    }

    /**
     * The live process with this PID when it is a postmaster of our data directory. The PID of a
     * postmaster killed long ago may have been reused by any process, which must be left alone.
     */
    private Optional<ProcessHandle> ourPostmaster(long pid) {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(process -> {
            ProcessHandle.Info info = process.info();
            boolean isPostgres = info.command()
                    .map(command -> Path.of(command).getFileName().toString().equals("postgres"))
                    .orElse(false);
            boolean servesOurData = info.arguments()
                    .map(args -> Arrays.asList(args).contains(dataDir.toString()))
                    .orElse(false);
            return isPostgres && servesOurData && process.isAlive();
        });
    }

    private enum Probe {
        /** A query ran on a server of our data directory (or it refused us only for lack of connection slots). */
        ANSWERS,
        /** A server replied with an error: it is starting, recovering or shutting down. */
        NOT_READY,
        /** Nothing (of ours) replied. */
        SILENT
    }

    /**
     * Once the cluster is secured, a successful SCRAM login as {@code baton} proves the server is
     * ours (SCRAM proves to the client too that the server knows the password): no superuser
     * needed. Before, the superuser asks the server for its data directory.
     */
    private Probe probe(int port) {
        if (port <= 0) {
            return Probe.SILENT;
        }
        boolean secured = roles.isSecured();
        try (Connection connection = secured
                ? PostgresRoles.connect(port, DATABASE, PostgresRoles.ROLE, secrets.baton())
                : PostgresRoles.connect(port, "postgres", SUPERUSER, secrets.superuser());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(secured ? "select 1" : "select current_setting('data_directory')")) {
            rs.next();
            // Another cluster may have taken the port of ours after a crash.
            return secured || Files.isSameFile(Path.of(rs.getString(1)), dataDir) ? Probe.ANSWERS : Probe.SILENT;
        } catch (SQLException e) {
            log.debug("PostgreSQL for {} on port {}: {} ({})", dataDir, port, e.getMessage(), e.getSQLState());
            String state = e.getSQLState() == null ? "08000" : e.getSQLState();
            if (state.startsWith("53")) {
                return Probe.ANSWERS; // too many connections: up and busy, certainly not to be restarted
            }
            if (state.startsWith("28") || "08004".equals(state) || "3D000".equals(state)) {
                // It refuses our login: ours when our postmaster serves that port (then the login
                // problem is reported on use, the server is not restarted), else someone else's.
                boolean ours = readPidFile().filter(p -> p.port() == port)
                        .flatMap(p -> ourPostmaster(p.pid())).isPresent();
                return ours ? Probe.ANSWERS : Probe.SILENT;
            }
            return state.startsWith("08") ? Probe.SILENT : Probe.NOT_READY;
        } catch (IOException e) {
            return Probe.SILENT;
        }
    }

    private Optional<PidFile> readPidFile() {
        // Line 1 is the postmaster PID, line 4 its port (the port line is absent while it starts).
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL in " + dataDir + " could not be inspected because "
                    + "postmaster.pid is unreadable (" + e.getMessage() + ").", e);
        }
        long pid = lines.isEmpty() ? -1 : parseOr(lines.get(0), -1);
        int port = lines.size() < 4 ? -1 : (int) parseOr(lines.get(3), -1);
        return Optional.of(new PidFile(pid, port));
    }

    private static long parseOr(String text, long fallback) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private record PidFile(long pid, int port) {
    }

    // ---- start -------------------------------------------------------------------------------------

    /**
     * Starts the postmaster detached (pg_ctl forks it into its own session) and returns its port:
     * the port of the last start when it is free, so that the connection pools of running Baton
     * processes, which keep the URL they were given, reconnect by themselves after a restart.
     */
    int start() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port = attempt == 1 ? rememberedPort.preferredPort() : RememberedPort.freePort();
            log.info("Starting PostgreSQL for {} on port {}", dataDir, port);
            // pg_ctl hands -o to /bin/sh, so '' reaches postgres as an empty value (no Unix socket).
            String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                    + " -c fsync=on -c synchronous_commit=on -c full_page_writes=on";
            int exit = tools.pgCtl(List.of("start", "-D", dataDir.toString(), "-l", logFile.toString(),
                    "-w", "-t", String.valueOf(PG_CTL_WAIT_SECONDS), "-o", options));
            if (exit == 0 && probe(port) == Probe.ANSWERS) {
                log.info("PostgreSQL for {} is running on port {}", dataDir, port);
                rememberedPort.rememberPort(port);
                return port;
            }
            // The port may have been taken meanwhile, or children of a killed postmaster may still
            // hold its shared memory for a moment; both make the postmaster exit and remove its pid file.
            boolean postmasterGone = !Files.exists(dataDir.resolve("postmaster.pid"));
            if (attempt >= START_ATTEMPTS || !postmasterGone) {
                throw tools.failure("could not be started (pg_ctl exited with " + exit + ")");
            }
            log.info("PostgreSQL for {} did not start (attempt {}); retrying", dataDir, attempt);
            Thread.sleep(1000L * attempt);
        }
    }
}
