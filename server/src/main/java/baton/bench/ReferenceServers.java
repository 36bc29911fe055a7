package baton.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The MCP servers Baton's start-up is compared with, installed from their registries into one
 * folder: {@code node/} holds the reference Node server {@code @modelcontextprotocol/server-everything}
 * (npm, run with the machine's {@code node}), {@code python/} a virtualenv with the Python SDK
 * {@code mcp} and a one-tool server. Either may be missing: {@link #missing} then says how to
 * install it.
 */
public final class ReferenceServers {

    static final String EVERYTHING = "@modelcontextprotocol/server-everything";
    static final String PYTHON_SDK = "mcp==2.3.0";
    /** The smallest server of the Python SDK 2.x ({@code MCPServer} is 1.x's FastMCP): one tool. */
    static final String PYTHON_SERVER = String.join("\n",
            "from mcp.server.mcpserver import MCPServer",
            "",
            "server = MCPServer(\"bench-reference\")",
            "",
            "",
            "@server.tool()",
            "def echo(text: str) -> str:",
            "    \"\"\"Returns the text it is given.\"\"\"",
            "    return text",
            "",
            "",
            "if __name__ == \"__main__\":",
            "    server.run()",
            "");

    /** A server to start: its command, or why it cannot be started and how to install it. */
    record Server(String name, List<String> command, String missing) {
        boolean installed() {
            return missing == null;
        }
    }

    private final Path dir;

    /** @param dir the folder the references are (or will be) installed in */
    public ReferenceServers(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/baton/bench-references}. */
    public static Path defaultDir(Map<String, String> env) {
        String cache = env.get("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("baton").resolve("bench-references");
    }

    public Path dir() {
        return dir;
    }

    private Path everythingScript() {
        return dir.resolve("node/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    }

    private Path python() {
        return dir.resolve("python/bin/python");
    }

    /** The installing commands, as one would type them. */
    String npmInstall() {
        return "npm install --prefix " + dir.resolve("node") + " " + EVERYTHING;
    }

    String pipInstall() {
        return "python3 -m venv " + dir.resolve("python") + " && " + python() + " -m pip install '" + PYTHON_SDK + "'";
    }

    /** server-everything over stdio, run by the {@code node} on the PATH. */
    Server everything() {
        String name = "server-everything (Node " + version("node", "--version").orElse("?").replaceFirst("^v", "") + ")";
        if (!Files.isRegularFile(everythingScript())) {
            return new Server(name, List.of(), EVERYTHING + " is not installed in " + dir.resolve("node")
                    + "; install it with: " + npmInstall() + " (or run this benchmark with --install-references)");
        }
        if (version("node", "--version").isEmpty()) {
            return new Server(name, List.of(), "node is not on the PATH, so " + EVERYTHING + " cannot run; install Node.js 18 or newer");
        }
        return new Server(name, List.of("node", everythingScript().toString(), "stdio"), null);
    }

    /** The one-tool Python SDK server (written to {@code workDir}), run by the virtualenv's python. */
    Server python(Path workDir) throws IOException {
        String name = "Python SDK " + PYTHON_SDK.replace("==", " ") + " (MCPServer, one tool)";
        if (!Files.isExecutable(python())
                || version(python().toString(), "-c", "import mcp.server.mcpserver; print('ok')").isEmpty()) {
            return new Server(name, List.of(), "the Python SDK (" + PYTHON_SDK + ") is not installed in "
                    + dir.resolve("python") + "; install it with: " + pipInstall()
                    + " (or run this benchmark with --install-references)");
        }
        Path script = workDir.resolve("reference_server.py");
        Files.writeString(script, PYTHON_SERVER, StandardCharsets.UTF_8);
        return new Server(name, List.of(python().toString(), script.toString()), null);
    }

    /** Installs both from their registries (npm, pip); their output goes to {@code log}. */
    public void install(PrintStream log) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        log.println("installing " + EVERYTHING + ": " + npmInstall());
        run(log, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir.resolve("node").toString(), EVERYTHING);
        log.println("installing the Python SDK: " + pipInstall());
        if (!Files.isExecutable(python())) {
            run(log, "python3", "-m", "venv", dir.resolve("python").toString());
        }
        run(log, python().toString(), "-m", "pip", "install", "-q", PYTHON_SDK);
    }

    private static void run(PrintStream log, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        process.getInputStream().transferTo(log);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
        }
    }

    /** The first line a command prints, when it runs and exits with 0. */
    private static Optional<String> version(String... command) {
        try {
            Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? out.lines().findFirst() : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
