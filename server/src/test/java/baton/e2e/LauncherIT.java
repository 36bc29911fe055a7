package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script ({@code ./baton}) on a copy of the repository whose sources are newer than
 * its working jar, so a build is due. Maven is a stand-in on PATH that builds slowly, writing its
 * output in two steps as a real build does, so a launcher that ran a jar while it was being
 * written, or built twice at once, would be seen.
 */
class LauncherIT {

    private static final Path REAL_JAR = Path.of(System.getProperty("baton.jar", "target/baton.jar")).toAbsolutePath();
    private static final Path SCRIPT = Path.of("..", "baton").toAbsolutePath().normalize();
    private static final String FAKE_MAVEN = """
            #!/bin/sh
            # a stand-in for mvn package: logs each build, writes a partial jar, then after a while the whole one
            echo "start $$" >>"$STUB_LOG"
            out=server/target/baton.jar
            for a in "$@"; do
              case "$a" in -Dbaton.shaded.jar=*) out="${a#-Dbaton.shaded.jar=}" ;; esac
            done
            head -c 4096 "$REAL_JAR" >"$out"
            sleep 3
            if [ -n "$STUB_FAIL" ]; then echo "[ERROR] compilation failed" >&2; exit 1; fi
            cat "$REAL_JAR" >"$out"
            echo "end $$" >>"$STUB_LOG"
            """;

    @TempDir
    Path repo;
    private Path jar;
    private Path log;

    @BeforeEach
    void copyOfTheRepositoryWithAStaleJar() throws IOException {
        Files.copy(SCRIPT, repo.resolve("baton"));
        executable(repo.resolve("baton"));
        for (String file : List.of("pom.xml", "server/pom.xml", "server/src/main/java/Main.java", "prompts/system.md",
                "tools-spec/tool.json")) {
            Files.createDirectories(repo.resolve(file).getParent());
            Files.writeString(repo.resolve(file), "source\n");
        }
        jar = repo.resolve("server/target/baton.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(REAL_JAR, jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Path bin = Files.createDirectories(repo.resolve("fake-bin"));
        Files.writeString(bin.resolve("mvn"), FAKE_MAVEN);
        executable(bin.resolve("mvn"));
        log = repo.resolve("builds.log");
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process launch(String... extraEnv) throws IOException {
        List<String> command = new ArrayList<>(List.of(repo.resolve("baton").toString(), "--version"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
        builder.environment().put("PATH", repo.resolve("fake-bin") + ":" + System.getenv("PATH"));
        builder.environment().put("BATON_CDS", "0");
        builder.environment().put("STUB_LOG", log.toString());
        builder.environment().put("REAL_JAR", REAL_JAR.toString());
        for (int i = 0; i + 1 < extraEnv.length; i += 2) {
            builder.environment().put(extraEnv[i], extraEnv[i + 1]);
        }
        return builder.start();
    }

    /** Whether the jar at the launcher's path is a whole, runnable jar. */
    private boolean jarIsWhole() {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry("baton/cli/Main.class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static String out(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String err(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private List<String> builds() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /**
     * Regression: two launchers that found a build due both ran Maven in the same directory, and
     * the build wrote over the jar in place, so the second launcher could run a half-written jar
     * (or find none) and fail.
     */
    @Test
    void twoLaunchersStartedAtOnceBothComeUpAfterOneBuildAndTheJarIsNeverHalfWritten() throws Exception {
        Process first = launch();
        Thread.sleep(500);
        Process second = launch();
        List<String> broken = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while ((first.isAlive() || second.isAlive()) && System.nanoTime() < deadline) {
            if (!jarIsWhole()) {
                broken.add("the jar was missing or partial at " + Instant.now());
            }
            Thread.sleep(20);
        }
        assertThat(first.waitFor(1, TimeUnit.SECONDS) && second.waitFor(1, TimeUnit.SECONDS)).isTrue();
        String firstErr = err(first);
        String secondErr = err(second);

        assertThat(first.exitValue()).as(firstErr).isZero();
        assertThat(second.exitValue()).as(secondErr).isZero();
        assertThat(out(first)).startsWith("baton ");
        assertThat(out(second)).startsWith("baton ");
        assertThat(builds()).as("one build, by one launcher").containsExactly(builds().get(0),
                builds().get(0).replace("start", "end"));
        assertThat(firstErr + secondErr).contains("waiting for it");
        assertThat(broken).as("a launcher's jar is replaced only by a whole one").isEmpty();
        assertThat(Files.list(jar.getParent()).map(p -> p.getFileName().toString()))
                .as("no lock or temporary file is left").containsExactly("baton.jar");
    }

    @Test
    void aFailedBuildLeavesTheWorkingJarAndTheLockIsReleased() throws Exception {
        Process failing = launch("STUB_FAIL", "1");
        assertThat(failing.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failing.exitValue()).isNotZero();
        assertThat(err(failing)).contains("compilation failed");
        assertThat(jarIsWhole()).as("the working jar is still there").isTrue();
        assertThat(Files.list(jar.getParent()).map(p -> p.getFileName().toString())).containsExactly("baton.jar");
    }

    @Test
    void aLockLeftByALauncherThatDiedIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path lock = Files.createDirectories(jar.getParent().resolve(".baton-build.lock"));
        Files.writeString(lock.resolve("pid"), gone.pid() + "\n");

        Process launcher = launch();
        assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = err(launcher);
        assertThat(launcher.exitValue()).as(stderr).isZero();
        assertThat(stderr).contains("taking over the build lock");
        assertThat(out(launcher)).startsWith("baton ");
        assertThat(builds()).hasSize(2);
        assertThat(Files.exists(lock)).isFalse();
    }
}
