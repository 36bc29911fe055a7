package baton.db;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the PostgreSQL tools ({@code initdb}, {@code pg_ctl}) of an {@link EmbeddedPostgresServer}
 * with their output in {@code postgres.log}, and turns a failure into an exception that quotes the
 * end of that log. Only used under the {@link StartLock}.
 */
final class PostgresTools {

    private static final Logger log = LoggerFactory.getLogger(PostgresTools.class);

    /** How long {@code pg_ctl -w} waits for a start or a stop. */
    static final int PG_CTL_WAIT_SECONDS = 60;
    private static final int LOG_TAIL_LINES = 20;

    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private Path pgHome; // unpacked binaries, resolved lazily and only under the start lock

    PostgresTools(Path baseDir, Path dataDir, Path logFile) {
        this.baseDir = baseDir;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    int pgCtl(List<String> args) throws IOException, InterruptedException {
        return run("pg_ctl", args, Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30));
    }

    /**
     * Runs a PostgreSQL tool with its output appended to postgres.log: our stdout carries a protocol
     * and must never see it. The postmaster started by pg_ctl inherits nothing from us but that file.
     */
    int run(String tool, List<String> args, Duration timeout) throws IOException, InterruptedException {
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
    Path pgHome() throws IOException {
        if (pgHome == null) {
            pgHome = PostgresBinaries.unpackedIn(baseDir);
        }
        return pgHome;
    }

    /** An exception naming the directory and what failed, with the tail of the log that explains why. */
    IllegalStateException failure(String what) {
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
}
