package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The pool's way of connecting: it waits for a database that refuses, and for nothing else. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PatientDataSourceTest {

    @TempDir
    static Path base;

    private static EmbeddedPostgresServer server;
    private static String url;

    @BeforeAll
    static void start() {
        server = new EmbeddedPostgresServer(base);
        url = server.ensureRunning().urlWithPassword();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static PatientDataSource patient(String jdbcUrl) {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(jdbcUrl);
        return new PatientDataSource(postgres, Duration.ofMillis(100));
    }

    @Test
    void aConnectionWaitsWhileTheDatabaseIsStoppedAndIsMadeWhenItReturns() throws Exception {
        PatientDataSource patient = patient(url);
        server.stop();
        CompletableFuture<Connection> waiting = CompletableFuture.supplyAsync(() -> connect(patient));
        Thread.sleep(1500);
        assertThat(waiting).as("still waiting, not failed").isNotDone();

        server.ensureRunning().urlWithPassword();

        try (Connection connection = waiting.get(60, TimeUnit.SECONDS)) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }

    @Test
    void closingEndsTheWaitWithTheRefusal() throws Exception {
        PatientDataSource patient = patient(url);
        server.stop();
        try {
            CompletableFuture<Connection> waiting = CompletableFuture.supplyAsync(() -> connect(patient));
            Thread.sleep(500);

            patient.close();

            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().cause().isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).startsWith("08"));
        } finally {
            server.ensureRunning().urlWithPassword();
        }
    }

    @Test
    void otherFailuresFailAtOnce() {
        PatientDataSource patient = patient(url.replace("/baton?", "/no_such_database?"));

        assertThatThrownBy(patient::getConnection).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("3D000"));
    }

    private static Connection connect(PatientDataSource patient) {
        try {
            return patient.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
