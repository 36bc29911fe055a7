package baton.db;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port the postmaster of an {@link EmbeddedPostgresServer} is started on, kept in
 * {@code <baseDir>/port}: the port of the last start when it is free, so that the connection pools
 * of running Baton processes, which keep the URL they were given, reconnect by themselves after a
 * restart; else a free one.
 */
final class RememberedPort {

    private static final Logger log = LoggerFactory.getLogger(RememberedPort.class);

    private final Path baseDir;
    private final Path dataDir;
    private final Path portFile;

    RememberedPort(Path baseDir, Path dataDir) {
        this.baseDir = baseDir;
        this.dataDir = dataDir;
        this.portFile = baseDir.resolve("port");
    }

    /** The port of the last start if nothing listens on it now, else a free one. */
    int preferredPort() throws IOException {
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
    void rememberPort(int port) throws IOException {
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
