package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs a real server in a temporary directory; every test leaves it running or stopped, never broken. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedPostgresServerTest {

    @TempDir
    static Path baseDir;

    @TempDir
    static Path scratch;

    private static EmbeddedPostgresServer server;

    @BeforeAll
    static void createServer() {
        server = new EmbeddedPostgresServer(baseDir);
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @Test
    @Order(1)
    void startsAndIsFoundBySecondInstance() throws Exception {
        String url = server.ensureRunning().urlWithPassword();
        long postmaster = postmasterPid();

        String again = new EmbeddedPostgresServer(baseDir).ensureRunning().urlWithPassword();

        assertThat(url).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/baton\\?user=baton&password=[A-Za-z0-9_-]{43}");
        assertThat(again).isEqualTo(url);
        assertThat(postmasterPid()).isEqualTo(postmaster);
        assertThat(server.isRunning()).isTrue();
        assertThat(server.dataDir()).isEqualTo(baseDir.toAbsolutePath().resolve("data"));
        try (Connection connection = DriverManager.getConnection(url)) {
            assertThat(query(connection, "show fsync")).isEqualTo("on");
            assertThat(query(connection, "show synchronous_commit")).isEqualTo("on");
            assertThat(query(connection, "show full_page_writes")).isEqualTo("on");
            assertThat(query(connection, "show listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(query(connection, "select current_database()")).isEqualTo("baton");
        }
    }

    @Test
    @Order(2)
    void concurrentStartersShareOneServer() throws Exception {
        server.stop();
        assertThat(server.isRunning()).isFalse();

        // Another JVM and two threads of this one (separate instances) all start at once.
        Path urlFile = scratch.resolve("other-process.url");
        Path childLog = scratch.resolve("other-process.log");
        Process other = startOtherProcess(urlFile, childLog);
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> urls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                urls.add(pool.submit(() -> {
                    barrier.await();
                    return new EmbeddedPostgresServer(baseDir).ensureRunning().urlWithPassword();
                }));
            }
            String first = urls.get(0).get(40, TimeUnit.SECONDS);
            assertThat(urls.get(1).get(40, TimeUnit.SECONDS)).isEqualTo(first);

            assertThat(other.waitFor(40, TimeUnit.SECONDS)).as("other process finished").isTrue();
            assertThat(other.exitValue()).as(Files.readString(childLog)).isZero();
            assertThat(Files.readString(urlFile).trim()).isEqualTo(first);
        } finally {
            pool.shutdownNow();
            other.destroyForcibly();
        }
        assertThat(postmastersOfDataDir()).as("postmasters serving the data directory").hasSize(1);
    }

    @Test
    @Order(3)
    void recoversFromKilledPostmaster() throws Exception {
        String url = server.ensureRunning().urlWithPassword();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            // autocommit: committed (and fsynced) before the crash
            statement.execute("create table survivor (id int primary key, note text)");
            statement.execute("insert into survivor values (1, 'written before the crash')");
        }
        long pid = postmasterPid();
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        postmaster.destroyForcibly();
        postmaster.onExit().get(10, TimeUnit.SECONDS);
        assertThat(server.isRunning()).isFalse();

        String after = server.ensureRunning().urlWithPassword();

        assertThat(postmasterPid()).isNotEqualTo(pid);
        try (Connection connection = DriverManager.getConnection(after)) {
            assertThat(query(connection, "select note from survivor where id = 1"))
                    .isEqualTo("written before the crash");
        }
    }

    @Test
    @Order(4)
    void recoversFromStalePidFileOfAnotherProcess() throws Exception {
        server.stop();
        // Our own PID is alive and not a postgres; port 1 answers nothing.
        long self = ProcessHandle.current().pid();
        Files.writeString(server.dataDir().resolve("postmaster.pid"),
                self + "\n" + server.dataDir() + "\n1700000000\n1\n\n127.0.0.1\n  1234567  7\nready   \n",
                StandardCharsets.UTF_8);
        assertThat(server.isRunning()).isFalse();

        String url = server.ensureRunning().urlWithPassword();

        assertThat(server.isRunning()).isTrue();
        assertThat(postmasterPid()).isNotEqualTo(self);
        try (Connection connection = DriverManager.getConnection(url)) {
            assertThat(query(connection, "select 1")).isEqualTo("1");
        }
    }

    @Test
    @Order(5)
    void refusesDataDirectoryThatIsNotACluster() throws Exception {
        Path otherBase = scratch.resolve("foreign");
        Files.createDirectories(otherBase.resolve("data"));
        Files.writeString(otherBase.resolve("data/notes.txt"), "not a cluster");

        assertThatThrownBy(() -> new EmbeddedPostgresServer(otherBase).ensureRunning().urlWithPassword())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(otherBase.resolve("data").toString())
                .hasMessageContaining("PG_VERSION");
        assertThat(otherBase.resolve("data/notes.txt")).exists();
    }

    @Test
    @Order(6)
    void stopIsANoOpWhenNothingRuns() {
        EmbeddedPostgresServer idle = new EmbeddedPostgresServer(scratch.resolve("idle"));

        idle.stop();

        assertThat(idle.isRunning()).isFalse();
    }

    @Test
    @Order(7)
    void restartsOnThePortItUsedLastTimeSoThatPoolsReconnect() throws Exception {
        String before = server.ensureRunning().urlWithPassword();
        server.stop();

        String after = server.ensureRunning().urlWithPassword();

        assertThat(after).isEqualTo(before);
        try (Connection connection = DriverManager.getConnection(after)) {
            assertThat(query(connection, "select 1")).isEqualTo("1");
        }
    }

    @Test
    @Order(8)
    void picksAnotherPortWhenItsLastPortIsTaken() throws Exception {
        String before = server.ensureRunning().urlWithPassword();
        int port = Integer.parseInt(before.replaceAll(".*:(\\d+)/.*", "$1"));
        server.stop();

        String after;
        try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            after = server.ensureRunning().urlWithPassword();
        }

        assertThat(after).isNotEqualTo(before);
        try (Connection connection = DriverManager.getConnection(after)) {
            assertThat(query(connection, "select 1")).isEqualTo("1");
        }
        server.stop();
        assertThat(server.ensureRunning().urlWithPassword()).as("the new port is remembered").isEqualTo(after);
    }

    private static long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(server.dataDir().resolve("postmaster.pid")).get(0).trim());
    }

    private static List<ProcessHandle> postmastersOfDataDir() {
        String dataDir = server.dataDir().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(dataDir)).orElse(false))
                .toList();
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static Process startOtherProcess(Path urlFile, Path log) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OtherProcess.class.getName(), baseDir.toString(), urlFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** The second process of {@link #concurrentStartersShareOneServer}: writes the URL it got to a file. */
    public static final class OtherProcess {
        public static void main(String[] args) throws Exception {
            String url = new EmbeddedPostgresServer(Path.of(args[0])).ensureRunning().urlWithPassword();
            Files.writeString(Path.of(args[1]), url, StandardCharsets.UTF_8);
        }
    }
}
