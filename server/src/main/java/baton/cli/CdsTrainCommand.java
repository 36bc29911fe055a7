package baton.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code baton cds-train}: one short stdio session in this process (initialize, the lists a client
 * asks for, one read), so that a JVM started with {@code -XX:DumpLoadedClassList} lists (for a
 * static CDS archive), or with {@code -XX:AOTCacheOutput} caches, the classes a real start-up
 * loads: the database now opens on a thread of its own meanwhile, and the read waits for it. The launcher runs it once per build; it writes nothing to the
 * database but what migrations would.
 */
@Command(name = "cds-train", hidden = true, description = "Load the classes of a stdio session start-up (for a CDS archive).")
final class CdsTrainCommand implements Callable<Integer> {

    private static final String SESSION = String.join("\n",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"cds-train\",\"version\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/templates/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"list_conversations\","
                    + "\"arguments\":{}}}") + "\n";

    private final Map<String, String> env;

    CdsTrainCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        InputStream in = System.in;
        PrintStream out = System.out;
        try {
            System.setIn(new ByteArrayInputStream(SESSION.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            return Main.run(env, "serve", "--stdio", "--user", "cds-training", "--project", "cds-training");
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
    }
}
