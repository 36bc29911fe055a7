package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.conversation.BatonException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening the database: one sentence when it cannot connect, and an embedded server that stops is started again. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StorageTest {

    @TempDir
    static Path base;

    private static EmbeddedPostgresServer server;

    @BeforeAll
    static void start() {
        server = new EmbeddedPostgresServer(base);
        server.ensureRunning();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    /** Regression: each of these failed after 5 s with the pool's "Connection is not available, request timed out". */
    @Test
    @Order(1)
    void aDatabaseUrlThatCannotConnectNamesTheCauseInOneSentence() {
        String trusting = TestDatabase.jdbcUrl(); // a PostgreSQL that trusts, so it tells which role is missing
        String hostPort = trusting.replaceAll("jdbc:postgresql://([^/]+)/.*", "$1");
        assertThat(openFails("jdbc:postgresql://" + hostPort + "/postgres?user=nobody"))
                .isEqualTo("The database at " + hostPort + " refused Baton: role \"nobody\" does not exist.");
        assertThat(openFails("jdbc:postgresql://" + hostPort + "/x?user=postgres"))
                .isEqualTo("The database at " + hostPort + " refused Baton: database \"x\" does not exist.");
        EmbeddedPostgresServer.Login login = server.ensureRunning();
        assertThat(openFails(login.url() + "?user=baton&password=wrong"))
                .isEqualTo("The database at 127.0.0.1:" + login.port()
                        + " refused Baton: password authentication failed for user \"baton\".");
        assertThat(openFails(login.url() + "?user=baton"))
                .isEqualTo("The database at 127.0.0.1:" + login.port() + " requires a password and the database URL has none.");
        assertThat(openFails("postgresql://127.0.0.1:1/baton"))
                .isEqualTo("The database connection was refused at 127.0.0.1:1: no PostgreSQL accepts connections there.");
    }

    private static String openFails(String url) {
        long started = System.nanoTime();
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> Storage.open(url, base, 2).close());
        assertThat(failure).as(url).isInstanceOf(BatonException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("fails without waiting for the pool")
                .isLessThan(4000);
        assertThat(failure.getMessage()).doesNotContain("Hikari", "pool", "Exception", "\n");
        return failure.getMessage();
    }

    /** Regression: a Baton whose embedded PostgreSQL was killed waited for it forever; only the next process started it. */
    @Test
    @Order(2)
    void aRunningBatonStartsItsKilledDatabaseAgain() throws Exception {
        try (Storage storage = Storage.open(null, base, 2)) {
            assertThat(selectOne(storage)).isEqualTo(1);
            ProcessHandle postmaster = postmaster();
            postmaster.destroyForcibly();
            postmaster.onExit().get(10, TimeUnit.SECONDS);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            Integer answer = null;
            while (answer == null && System.nanoTime() < deadline) {
                try {
                    answer = selectOne(storage);
                } catch (BatonException unavailable) {
                    Thread.sleep(200);
                }
            }
            assertThat(answer).as("answered again without another process").isEqualTo(1);
            assertThat(postmaster().pid()).isNotEqualTo(postmaster.pid());
        }
    }

    @Test
    @Order(3)
    void aDatabaseStoppedOnPurposeStaysStopped() throws Exception {
        try (Storage storage = Storage.open(null, base, 2)) {
            server.stop();
            assertThatThrownBy(() -> selectOne(storage)).isInstanceOf(BatonException.class);
            assertThatThrownBy(() -> selectOne(storage)).isInstanceOf(BatonException.class);
            assertThat(server.isRunning()).isFalse();
        } finally {
            server.ensureRunning();
        }
    }

    private static int selectOne(Storage storage) {
        return storage.database().read("selecting one", c -> {
            try (var ps = c.prepareStatement("select 1"); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private static ProcessHandle postmaster() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(server.dataDir().resolve("postmaster.pid")).get(0).trim());
        return ProcessHandle.of(pid).orElseThrow();
    }
}
