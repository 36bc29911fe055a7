package baton.bench;

import baton.http.BatonHttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@code baton serve --http} process a benchmark started: where it serves, and its memory. */
final class ServedProcess {

    private ServedProcess() {
    }

    /** The URL the process announces on stderr (read on by a daemon thread named {@code thread}). */
    static URI url(Process process, String thread) throws Exception {
        CompletableFuture<URI> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    BatonHttpServer.announcedUrl(line).ifPresent(url::complete);
                }
            } catch (IOException e) {
                // the process ended
            }
            url.completeExceptionally(new IllegalStateException("baton serve --http ended without serving"));
        }, thread);
        reader.setDaemon(true);
        reader.start();
        return url.get(120, TimeUnit.SECONDS);
    }

    /** Resident memory now, in MiB. */
    static long rssMiB(Process process) throws IOException {
        return status(process, "VmRSS:") >> 10;
    }

    /** The highest resident memory so far, in MiB. */
    static long peakRssMiB(Process process) throws IOException {
        return status(process, "VmHWM:") >> 10;
    }

    /** A kB figure from /proc/PID/status. */
    private static long status(Process process, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
            }
        }
        throw new IllegalStateException(field + " is not in /proc/" + process.pid() + "/status");
    }
}
