package baton.agent;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The stdio transport of an upstream: its process gets only a minimal environment (PATH, HOME,
 * USER, …) plus the upstream's own and the caller's identity, so Baton's database URL and model key
 * never reach an upstream process; it runs in the upstream's working directory; and a process
 * that exits before it has answered {@code initialize} fails the connection at once, with its exit
 * status and last line of stderr, instead of after the whole initialization timeout.
 */
final class IsolatedStdioTransport extends StdioClientTransport {

    private static final Logger log = LoggerFactory.getLogger(IsolatedStdioTransport.class);
    private final UpstreamServer server;
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final StderrFile stderr;

    /**
     * The process's stderr goes to a {@link StderrFile} through a POSIX shell that {@code exec}s the
     * command: {@code 3>&2} keeps the SDK's stderr pipe open for as long as the process lives (when
     * that pipe ends, the SDK takes the whole transport for closed), and {@code 2>>file} sends what
     * the process writes to the file Baton follows.
     */
    private static final String WRAPPER = "f=$1; shift; exec \"$@\" 3>&2 2>>\"$f\"";

    private IsolatedStdioTransport(ServerParameters parameters, McpJsonMapper jsonMapper, UpstreamServer server,
            StderrFile stderr) {
        super(parameters, jsonMapper);
        this.server = server;
        this.stderr = stderr;
    }

    /** The transport of one process of {@code server}, whose environment is exactly {@code env}. */
    static IsolatedStdioTransport create(UpstreamServer server, Map<String, String> env, McpJsonMapper jsonMapper) {
        List<String> command = server.command();
        StderrFile stderr = null;
        try {
            stderr = StderrFile.create(server.name());
        } catch (IOException e) {
            log.debug("no stderr file for upstream {}: {}", server.name(), e.toString());
        }
        ServerParameters.Builder parameters;
        if (stderr == null) {
            parameters = ServerParameters.builder(command.get(0)).args(command.subList(1, command.size()));
        } else {
            List<String> args = new ArrayList<>(List.of("-c", WRAPPER, "baton-upstream-" + server.name(),
                    stderr.file().toString()));
            args.addAll(command);
            parameters = ServerParameters.builder("/bin/sh").args(args);
        }
        return new IsolatedStdioTransport(parameters.env(env).build(), jsonMapper, server, stderr);
    }

    @Override
    protected ProcessBuilder getProcessBuilder() {
        ProcessBuilder builder = new ProcessBuilder();
        builder.environment().clear();
        if (server.directory() != null) {
            builder.directory(server.directory().toFile());
        }
        return builder;
    }

    @Override
    public Mono<Void> closeGracefully() {
        return super.closeGracefully().doFinally(signal -> closeStderr());
    }

    private void closeStderr() {
        if (stderr != null) {
            stderr.close();
        }
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return super.connect(handler).doOnSuccess(done -> watchExit());
    }

    /**
     * Initializes the client, failing as soon as the process exits, whichever comes first. The
     * initialization runs on its own thread so that this thread can stop waiting for it.
     */
    void initialize(McpSyncClient client) {
        CompletableFuture<Void> init = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                client.initialize();
                init.complete(null);
            } catch (Throwable e) {
                init.completeExceptionally(e);
            }
        }, "upstream-init-" + server.name());
        thread.setDaemon(true);
        thread.start();
        try {
            CompletableFuture.anyOf(init, exited).get();
            if (init.isDone()) {
                init.join();
                if (stderr != null) {
                    stderr.unlink();
                }
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to the upstream", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        int status = exited.join();
        String last = stderr == null ? null : stderr.lastLine();
        closeStderr();
        throw new UpstreamExitedException("the process exited at start with status " + status
                + (last == null ? " and wrote nothing to stderr" : "; its last line on stderr: " + last));
    }

    /** Completes {@link #exited} with the process's exit status when it ends. */
    private void watchExit() {
        Process process = process();
        if (process == null) {
            return;
        }
        if (stderr != null) {
            stderr.follow();
        }
        process.onExit().thenAccept(p -> exited.complete(p.exitValue()));
    }

    /**
     * The process the SDK started. The SDK keeps it private and offers only {@code awaitForExit()},
     * which neither tells the exit status nor can be asked before the process exists; without the
     * process, Baton waits for the initialization timeout as it did before.
     */
    private Process process() {
        try {
            Field field = StdioClientTransport.class.getDeclaredField("process");
            field.setAccessible(true);
            return (Process) field.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("cannot watch the process of upstream {}: {}", server.name(), e.toString());
            return null;
        }
    }

    /** An upstream's process ended before it answered {@code initialize}. */
    static final class UpstreamExitedException extends RuntimeException {
        UpstreamExitedException(String message) {
            super(message);
        }
    }
}
