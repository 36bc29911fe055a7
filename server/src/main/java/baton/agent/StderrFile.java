package baton.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an upstream process writes its stderr: a file of Baton's own (0600; its name is removed
 * once the process has it open, so nothing is left behind even when Baton is killed), followed
 * every {@value #POLL_MS} ms. The SDK reads stderr from a pipe, but
 * it stops reading as soon as the process's stdout ends, so the last lines a failing process
 * writes, the ones that say why, were lost. The file is emptied when it grows past
 * {@value #MAX_BYTES} bytes, so a talkative upstream never fills the disk.
 */
final class StderrFile implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StderrFile.class);
    static final long POLL_MS = 200;
    static final long MAX_BYTES = 1 << 20;
    private static final ScheduledExecutorService POLL = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upstream-stderr");
        t.setDaemon(true);
        return t;
    });

    private final String upstream;
    private final Path file;
    private final FileChannel channel;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);
    private String lastLine;
    private ScheduledFuture<?> follower;
    private boolean closed;

    private StderrFile(String upstream, Path file, FileChannel channel) {
        this.upstream = upstream;
        this.file = file;
        this.channel = channel;
    }

    /** A new empty file for the stderr of one process of {@code upstream}. */
    static StderrFile create(String upstream) throws IOException {
        Path file = Files.createTempFile("baton-upstream-" + upstream + "-", ".stderr");
        return new StderrFile(upstream, file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    Path file() {
        return file;
    }

    /** Starts following the file (once the process runs). */
    synchronized void follow() {
        if (!closed && follower == null) {
            follower = POLL.scheduleWithFixedDelay(this::drain, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Removes the file's name once the process has opened it (it has answered, so it runs): the
     * process keeps writing and Baton keeps reading through their open descriptors.
     */
    synchronized void unlink() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("removing {} failed: {}", file, e.toString());
        }
    }

    /** The last non-blank line written so far, including one not ended by a newline; null if none. */
    synchronized String lastLine() {
        drain();
        String rest = partial.toString(StandardCharsets.UTF_8);
        return rest.isBlank() ? lastLine : rest.strip();
    }

    private synchronized void drain() {
        if (closed) {
            return;
        }
        try {
            int n;
            while ((n = channel.read(buffer.clear())) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer.get(i);
                    if (b == '\n') {
                        line(partial.toString(StandardCharsets.UTF_8));
                        partial.reset();
                    } else if (partial.size() < 4096) {
                        partial.write(b);
                    }
                }
            }
            if (channel.size() > MAX_BYTES) {
                channel.truncate(0);
                channel.position(0);
            }
        } catch (IOException e) {
            log.debug("reading the stderr of upstream {} failed: {}", upstream, e.toString());
        }
    }

    private void line(String line) {
        String clean = line.strip();
        if (!clean.isEmpty()) {
            lastLine = clean;
            log.debug("upstream {} stderr: {}", upstream, clean);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (follower != null) {
            follower.cancel(false);
        }
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("removing {} failed: {}", file, e.toString());
        }
    }
}
