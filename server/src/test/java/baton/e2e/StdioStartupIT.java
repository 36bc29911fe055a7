package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --stdio} opens its database while it answers the handshake: what happens when that
 * database cannot be opened. The database here is a socket that takes connections and never says a
 * word, so the open goes on until its connection timeout (a refused connection would end Baton at
 * once, before the handshake).
 */
class StdioStartupIT {

    private static ServerSocket silent;

    @BeforeAll
    static void silentDatabase() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // the backlog takes the connections
    }

    @AfterAll
    static void close() throws IOException {
        silent.close();
    }

    private static String unreachable() {
        return "postgresql://baton:x@127.0.0.1:" + silent.getLocalPort() + "/baton";
    }
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"1\"}}}\n";

    @Test
    void aDatabaseThatCannotBeOpenedEndsTheSessionWithItsSentence() throws Exception {
        Process process = start();
        CompletableFuture<String> stderr = stderr(process);
        try (OutputStream stdin = process.getOutputStream();
                BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
            stdin.write(INITIALIZE.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(stdout.readLine()).contains("\"result\"", "\"serverInfo\"");
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("ends without waiting for stdin to close").isTrue();
        }
        assertThat(process.exitValue()).isNotZero();
        assertThat(stderr.get(10, TimeUnit.SECONDS)).contains("baton: The database");
    }

    @Test
    void stdinClosedWhileTheDatabaseIsStillBeingTriedEndsTheProcessAtOnce() throws Exception {
        Process process = start();
        stderr(process);
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            OutputStream stdin = process.getOutputStream();
            stdin.write(INITIALIZE.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(stdout.readLine()).contains("\"result\"");
            stdin.close();
            // the open goes on trying for at least the pool's 5 s connection timeout
            assertThat(process.waitFor(4, TimeUnit.SECONDS)).as("exit soon after stdin closed").isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    private static Process start() throws Exception {
        Path home = Files.createTempDirectory("stdio-startup-it");
        ProcessBuilder builder = new ProcessBuilder(List.of(BatonLauncher.java(), "-jar", BatonLauncher.jar(), "serve",
                "--stdio", "--user", "alice", "--project", "startup-it", "--db-url", unreachable()));
        builder.environment().clear();
        builder.environment().putAll(BatonLauncher.env(home, Map.of()));
        return builder.start();
    }

    private static CompletableFuture<String> stderr(Process process) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "";
            }
        });
    }
}
