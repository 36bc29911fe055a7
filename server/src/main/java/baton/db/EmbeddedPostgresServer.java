package baton.db;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server whose files live in one directory and which is shared by every process
 * of Baton on the machine. The first process that needs it starts it; it keeps running after that
 * process exits, and only {@link #stop()} stops it.
 *
 * <p>Layout of the base directory:
 * <ul>
 *   <li>{@code pg-bin/<digest>/} – the PostgreSQL binaries unpacked from zonky's archive,</li>
 *   <li>{@code data/} – the cluster (created by initdb on first use),</li>
 *   <li>{@code postgres.log} – the server log and the output of initdb and pg_ctl,</li>
 *   <li>{@code port} – the port of the last start, tried first on the next one,</li>
 *   <li>{@code start.lock} – serialises detect / initdb / start / stop between processes,</li>
 *   <li>{@code superuser.password}, {@code baton.password} – the passwords (0600, see
 *       {@link PostgresSecrets}),</li>
 *   <li>{@code stopped} – present after {@link #stop()}, so that running Baton processes do not
 *       start again a server that was stopped on purpose.</li>
 * </ul>
 *
 * <p>Nothing connects without a password, and Baton connects as the role {@code baton}, not as
 * the superuser (see {@link PostgresRoles}).
 *
 * <p>Every failure is reported as an {@link IllegalStateException} whose message names the directory
 * and what failed.
 */
public final class EmbeddedPostgresServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private static final String SUPERUSER = PostgresRoles.SUPERUSER;
    private static final String DATABASE = PostgresRoles.DATABASE;
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
    private static final int PG_CTL_WAIT_SECONDS = 60;
    /** How long a live postmaster of our data directory may stay silent before we call it hung. */
    private static final Duration SILENCE_GRACE = Duration.ofSeconds(10);
    /** How long we wait for a postmaster that says it is starting, recovering or shutting down. */
    private static final Duration NOT_READY_LIMIT = Duration.ofMinutes(2);
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 20;

    /**
     * A FileLock belongs to the whole JVM: a second channel of the same JVM gets an
     * OverlappingFileLockException instead of waiting, so threads of one JVM queue here first.
     */
    private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final Path lockFile;
    private final Path portFile;
    private final Path stoppedFile;
    private final PostgresSecrets secrets;
    private final PostgresRoles roles;
    private Path pgHome; // unpacked binaries, resolved lazily and only under the start lock

    /**
     * @param baseDir the directory that holds the binaries, the data and the log, e.g.
     *                {@code ~/.local/share/baton}; it is created when missing
     */
    public EmbeddedPostgresServer(Path baseDir) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
        this.dataDir = this.baseDir.resolve("data");
        this.logFile = this.baseDir.resolve("postgres.log");
        this.lockFile = this.baseDir.resolve("start.lock");
        this.portFile = this.baseDir.resolve("port");
        this.stoppedFile = this.baseDir.resolve("stopped");
        this.secrets = new PostgresSecrets(this.baseDir);
        this.roles = new PostgresRoles(dataDir, secrets);
    }

    /**
     * How Baton logs in: as the role {@code baton} with its password. {@link #toString()} leaves
     * the password out.
     */
    public record Login(int port, String database, String user, String password) {
        /** The JDBC URL without credentials, fit to print. */
        public String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
        }

        /** The JDBC URL with the user and the password, as {@code --db-url} takes it: a secret. */
        public String urlWithPassword() {
            return url() + "?user=" + user + "&password=" + password; // the password is URL-safe base64
        }

        @Override
        public String toString() {
            return url() + " (user " + user + ", password ****)";
        }
    }

    /** The PostgreSQL data directory, {@code <baseDir>/data}. */
    public Path dataDir() {
        return dataDir;
    }

    /** The file holding the password of the role Baton connects as (0600). */
    public Path batonPasswordFile() {
        return secrets.batonFile();
    }

    /**
     * Returns how to log in to the shared server, starting it first when no server answers for the
     * data directory (unpacking the binaries and running initdb when needed, and clearing what a
     * crashed server left behind), and converting a cluster that still trusts local logins. The
     * {@code baton} database and role exist when this returns. Clears a stop made by {@link #stop()}.
     *
     * @throws IllegalStateException when the server cannot be started or reached
     */
    public Login ensureRunning() {
        int port = withStartLock("start PostgreSQL", () -> {
            Files.deleteIfExists(stoppedFile);
            return startAndSecure();
        });
        return login(port);
    }

    /**
     * Starts the server again for a running Baton whose connections it refuses, unless it was
     * stopped on purpose ({@link #stop()}, {@code baton db stop}).
     *
     * @return the login when the server runs now, empty when it was stopped on purpose
     */
    public Optional<Login> startUnlessStoppedOnPurpose() {
        OptionalInt port = withStartLock("start PostgreSQL again", () -> Files.exists(stoppedFile)
                ? OptionalInt.empty() : OptionalInt.of(startAndSecure()));
        return port.isPresent() ? Optional.of(login(port.getAsInt())) : Optional.empty();
    }

    /** The login of the running server, without starting anything; empty when it does not run. */
    public Optional<Login> runningLogin() {
        Optional<PidFile> pidFile = readPidFile();
        if (pidFile.isEmpty() || probe(pidFile.get().port()) != Probe.ANSWERS) {
            return Optional.empty();
        }
        return Optional.of(new Login(pidFile.get().port(), DATABASE, PostgresRoles.ROLE,
                secrets.baton().orElse("")));
    }

    private int startAndSecure() throws IOException, InterruptedException {
        OptionalInt running = findRunningPort();
        int port;
        if (running.isPresent()) {
            log.debug("PostgreSQL for {} already answers on port {}", dataDir, running.getAsInt());
            port = running.getAsInt();
        } else {
            initdbIfNeeded();
            port = start();
        }
        if (!roles.isSecured()) {
            roles.secure(port);
        }
        return port;
    }

    private Login login(int port) {
        String password = secrets.baton().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL in " + dataDir + " has no password file " + secrets.batonFile() + "."));
        return new Login(port, DATABASE, PostgresRoles.ROLE, password);
    }

    /** Whether a live postmaster answers a query for this data directory. */
    public boolean isRunning() {
        Optional<PidFile> pidFile = readPidFile();
        return pidFile.isPresent() && probe(pidFile.get().port()) == Probe.ANSWERS;
    }

    /**
     * Stops the server with {@code pg_ctl stop -m fast} (active sessions are disconnected); does
     * nothing when no postmaster of this data directory is alive.
     *
     * @throws IllegalStateException when pg_ctl fails to stop the server
     */
    public void stop() {
        withStartLock("stop PostgreSQL", () -> {
            Files.writeString(stoppedFile, "stopped on purpose; the next start clears this\n", StandardCharsets.UTF_8);
            Optional<ProcessHandle> postmaster = readPidFile().flatMap(p -> ourPostmaster(p.pid()));
            if (postmaster.isEmpty()) {
                log.debug("PostgreSQL for {} is not running; nothing to stop", dataDir);
                return null;
            }
            log.info("Stopping PostgreSQL for {} (postmaster {})", dataDir, postmaster.get().pid());
            int exit = pgCtl(List.of("stop", "-D", dataDir.toString(), "-m", "fast",
                    "-w", "-t", String.valueOf(PG_CTL_WAIT_SECONDS)));
            if (exit != 0) {
                throw failure("could not be stopped (pg_ctl exited with " + exit + ")");
            }
            return null;
        });
    }

    // ---- detection and stale-state recovery ------------------------------------------------------

    /**
     * The port of a server answering for our data directory, after waiting for a postmaster that is
     * busy starting or stopping, killing one that stays silent, and removing a postmaster.pid that
     * no live postmaster owns any more.
     */
    private OptionalInt findRunningPort() throws IOException, InterruptedException {
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
                throw failure("is still not ready after " + NOT_READY_LIMIT.toSeconds() + " s (postmaster "
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
        pgCtl(List.of("stop", "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "5"));
        if (postmaster.isAlive()) {
            postmaster.destroyForcibly();
        }
        try {
            postmaster.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw failure("could not be recovered because postmaster " + postmaster.pid() + " does not exit");
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

    // ---- initdb and start -------------------------------------------------------------------------

    private void initdbIfNeeded() throws IOException, InterruptedException {
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
        pgHome(); // unpack first, so the log reads in order
        secrets.superuserOrCreate();
        log.info("Creating PostgreSQL cluster in {}", dataDir);
        // No trust, not even for a moment: the superuser has a password from the first start on.
        int exit = run("initdb", List.of("--auth=scram-sha-256", "--pwfile=" + secrets.superuserFile(),
                "-U", SUPERUSER, "-E", "UTF-8", "--locale=C", "-D", scratch.toString()), INITDB_TIMEOUT);
        if (exit != 0) {
            throw failure("could not be initialised (initdb exited with " + exit + ")");
        }
        PostgresRoles.writePgHba(scratch);
        Files.move(scratch, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Starts the postmaster detached (pg_ctl forks it into its own session) and returns its port:
     * the port of the last start when it is free, so that the connection pools of running Baton
     * processes, which keep the URL they were given, reconnect by themselves after a restart.
     */
    private int start() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port = attempt == 1 ? preferredPort() : freePort();
            log.info("Starting PostgreSQL for {} on port {}", dataDir, port);
            // pg_ctl hands -o to /bin/sh, so '' reaches postgres as an empty value (no Unix socket).
            String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                    + " -c fsync=on -c synchronous_commit=on -c full_page_writes=on";
            int exit = pgCtl(List.of("start", "-D", dataDir.toString(), "-l", logFile.toString(),
                    "-w", "-t", String.valueOf(PG_CTL_WAIT_SECONDS), "-o", options));
            if (exit == 0 && probe(port) == Probe.ANSWERS) {
                log.info("PostgreSQL for {} is running on port {}", dataDir, port);
                rememberPort(port);
                return port;
            }
            // The port may have been taken meanwhile, or children of a killed postmaster may still
            // hold its shared memory for a moment; both make the postmaster exit and remove its pid file.
            boolean postmasterGone = !Files.exists(dataDir.resolve("postmaster.pid"));
            if (attempt >= START_ATTEMPTS || !postmasterGone) {
                throw failure("could not be started (pg_ctl exited with " + exit + ")");
            }
            log.info("PostgreSQL for {} did not start (attempt {}); retrying", dataDir, attempt);
            Thread.sleep(1000L * attempt);
        }
    }

    /** The port of the last start if nothing listens on it now, else a free one. */
    private int preferredPort() throws IOException {
        OptionalInt last = lastPort();
        if (last.isPresent()) {
            if (isFree(last.getAsInt())) {
                return last.getAsInt();
            }
            log.info("PostgreSQL for {} used port {} last time, which is taken now; picking another", dataDir,
                    last.getAsInt());
        }
        return freePort();
    }

    private OptionalInt lastPort() throws IOException {
        try {
            int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).strip());
            return port > 0 && port < 65536 ? OptionalInt.of(port) : OptionalInt.empty();
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Written aside and renamed, so a crash never leaves half a number. */
    private void rememberPort(int port) throws IOException {
        Path scratch = baseDir.resolve("port.tmp");
        Files.writeString(scratch, port + "\n", StandardCharsets.UTF_8);
        Files.move(scratch, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // ---- running the PostgreSQL tools -------------------------------------------------------------

    private int pgCtl(List<String> args) throws IOException, InterruptedException {
        return run("pg_ctl", args, Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30));
    }

    /**
     * Runs a PostgreSQL tool with its output appended to postgres.log: our stdout carries a protocol
     * and must never see it. The postmaster started by pg_ctl inherits nothing from us but that file.
     */
    private int run(String tool, List<String> args, Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // PostgreSQL refuses to run as root; in a fresh user namespace we are uid 65534 to it.
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(pgHome().resolve("bin").resolve(tool).toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true);
        // PGDATA, PGPORT, PGOPTIONS... of the user's shell must not change what we start.
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        log.debug("Running {}", command);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw failure(tool + " did not finish within " + timeout.toSeconds() + " s");
        }
        return process.exitValue();
    }

    /** The unpacked binaries; see {@link PostgresBinaries}. Only called under the start lock. */
    private Path pgHome() throws IOException {
        if (pgHome == null) {
            pgHome = PostgresBinaries.unpackedIn(baseDir);
        }
        return pgHome;
    }

    // ---- locking, errors, files -------------------------------------------------------------------

    @FunctionalInterface
    private interface LockedStep<T> {
        T run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code step} holding the start lock: first the JVM-wide lock for this directory, then an
     * exclusive FileLock on start.lock that other processes wait for.
     */
    private <T> T withStartLock(String what, LockedStep<T> step) {
        ReentrantLock jvmLock;
        try {
            if (!Files.isDirectory(baseDir)) {
                // Only its owner may look inside: it holds the passwords, the cluster and its log.
                Files.createDirectories(baseDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(logFile)) {
                try {
                    Files.createFile(logFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (FileAlreadyExistsException raced) {
                    // another process made it first
                }
            }
            // Keyed by the real path: two spellings of one directory must share the JVM lock too.
            jvmLock = JVM_LOCKS.computeIfAbsent(baseDir.toRealPath(), path -> new ReentrantLock());
        } catch (IOException e) {
            throw new IllegalStateException("Could not " + what + " because " + baseDir
                    + " cannot be created (" + e + ").", e);
        }
        jvmLock.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.lock(); // blocks; closing the channel releases it
            return step.run();
        } catch (IOException e) {
            throw new IllegalStateException("Could not " + what + " in " + baseDir + " (" + e + ").", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while trying to " + what + " in " + baseDir + ".", e);
        } finally {
            jvmLock.unlock();
        }
    }

    /** An exception naming the directory and what failed, with the tail of the log that explains why. */
    private IllegalStateException failure(String what) {
        return new IllegalStateException("PostgreSQL in " + dataDir + " " + what + "; last lines of "
                + logFile + ":\n" + logTail());
    }

    private String logTail() {
        // Read only the end: the log grows for the lifetime of the installation.
        try (SeekableByteChannel channel = Files.newByteChannel(logFile)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, 16 * 1024));
            channel.position(size - buffer.capacity());
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading until the buffer is full
            }
            List<String> lines = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
                    .lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
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
