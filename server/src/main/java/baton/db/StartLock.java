package baton.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The start lock of an {@link EmbeddedPostgresServer}: serialises detect / initdb / start / stop
 * between the threads of this JVM and between the processes of Baton on the machine, through an
 * exclusive lock on {@code <baseDir>/start.lock}. Taking it first creates the base directory (0700)
 * and the log file (0600) when they are missing.
 */
final class StartLock {

    /**
     * A FileLock belongs to the whole JVM: a second channel of the same JVM gets an
     * OverlappingFileLockException instead of waiting, so threads of one JVM queue here first.
     */
    private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path baseDir;
    private final Path logFile;
    private final Path lockFile;

    StartLock(Path baseDir, Path logFile) {
        this.baseDir = baseDir;
        this.logFile = logFile;
        this.lockFile = baseDir.resolve("start.lock");
    }

    @FunctionalInterface
    interface LockedStep<T> {
        T run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code step} holding the start lock: first the JVM-wide lock for this directory, then an
     * exclusive FileLock on start.lock that other processes wait for.
     *
     * @param what what the step does, for the message of the exception
     * @throws IllegalStateException when the step fails with an I/O error or is interrupted
     */
    <T> T holding(String what, LockedStep<T> step) {
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
}
