package baton.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server whose files live in one directory and which is shared by every process
 * of Baton on the machine. The first process that needs it starts it; it keeps running after that
 * process exits, and only {@link #stop()} stops it.
 *
 * <p>This class is the entry point; the work is done by {@link StartLock} (serialising starts and
 * stops between processes), {@link Postmaster} (finding, starting and stopping the postmaster),
 * {@link RememberedPort}, {@link PostgresCluster} (initdb), {@link PostgresTools} (running the
 * PostgreSQL tools), {@link PostgresBinaries}, {@link PostgresSecrets} and {@link PostgresRoles}.
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

    private static final String DATABASE = PostgresRoles.DATABASE;

    private final Path dataDir;
    private final Path stoppedFile;
    private final PostgresSecrets secrets;
    private final PostgresRoles roles;
    private final StartLock startLock;
    private final Postmaster postmaster;
    private final PostgresCluster cluster;

    /**
     * @param baseDir the directory that holds the binaries, the data and the log, e.g.
     *                {@code ~/.local/share/baton}; it is created when missing
     */
    public EmbeddedPostgresServer(Path baseDir) {
        Path base = baseDir.toAbsolutePath().normalize();
        this.dataDir = base.resolve("data");
        Path logFile = base.resolve("postgres.log");
        this.stoppedFile = base.resolve("stopped");
        this.secrets = new PostgresSecrets(base);
        this.roles = new PostgresRoles(dataDir, secrets);
        this.startLock = new StartLock(base, logFile);
        PostgresTools tools = new PostgresTools(base, dataDir, logFile);
        this.postmaster = new Postmaster(dataDir, logFile, secrets, roles, tools, new RememberedPort(base, dataDir));
        this.cluster = new PostgresCluster(base, dataDir, secrets, tools);
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
        int port = startLock.holding("start PostgreSQL", () -> {
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
        OptionalInt port = startLock.holding("start PostgreSQL again", () -> Files.exists(stoppedFile)
                ? OptionalInt.empty() : OptionalInt.of(startAndSecure()));
        return port.isPresent() ? Optional.of(login(port.getAsInt())) : Optional.empty();
    }

    /** The login of the running server, without starting anything; empty when it does not run. */
    public Optional<Login> runningLogin() {
        OptionalInt port = postmaster.answeringPort();
        if (port.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Login(port.getAsInt(), DATABASE, PostgresRoles.ROLE,
                secrets.baton().orElse("")));
    }

    private int startAndSecure() throws IOException, InterruptedException {
        OptionalInt running = postmaster.findRunningPort();
        int port;
        if (running.isPresent()) {
            log.debug("PostgreSQL for {} already answers on port {}", dataDir, running.getAsInt());
            port = running.getAsInt();
        } else {
            cluster.initdbIfNeeded();
            port = postmaster.start();
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
        return postmaster.answeringPort().isPresent();
    }

    /**
     * Stops the server with {@code pg_ctl stop -m fast} (active sessions are disconnected); does
     * nothing when no postmaster of this data directory is alive. Running Baton processes do not
     * start it again until {@link #ensureRunning()} is called.
     *
     * @throws IllegalStateException when pg_ctl fails to stop the server
     */
    public void stop() {
        startLock.holding("stop PostgreSQL", () -> {
            Files.writeString(stoppedFile, "stopped on purpose; the next start clears this\n", StandardCharsets.UTF_8);
            postmaster.stop();
            return null;
        });
    }
}
