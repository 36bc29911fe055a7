package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DbCommandTest {

    @TempDir
    Path home;

    private record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        Object[] captured = MainTest.runCaptured(env, args);
        return new Run((Integer) captured[0], (String) captured[1], (String) captured[2]);
    }

    @Test
    void versionHelpAndDbStatusNeverStartADatabase() {
        Path dataDir = home.resolve("baton");
        Map<String, String> env = Map.of("BATON_DATA_DIR", dataDir.toString(), "XDG_DATA_HOME", home.toString());
        for (String[] args : new String[][] {{"--version"}, {"--help"}, {"serve", "--help"}, {"db", "--help"},
                {"db", "status", "--help"}, {"token", "--help"}}) {
            assertThat(run(env, args).status()).as(String.join(" ", args)).isZero();
        }
        Run status = run(env, "db", "status");

        assertThat(status.status()).isEqualTo(1);
        assertThat(status.out()).isEqualTo("not running (data in " + dataDir.resolve("data") + ")\n");
        assertThat(dataDir).as("nothing created, nothing started").doesNotExist();
    }

    @Test
    void dbStatusPrintsTheUrlPortAndRoleAndMigratesNothing() throws Exception {
        Path dataDir = home.resolve("baton");
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir);
        EmbeddedPostgresServer.Login login = server.ensureRunning();
        try {
            Run status = run(Map.of("BATON_DATA_DIR", dataDir.toString()), "db", "status");

            assertThat(status.status()).isZero();
            assertThat(status.out()).isEqualTo("running: jdbc:postgresql://127.0.0.1:" + login.port() + "/baton (port "
                    + login.port() + ", role baton, password in " + dataDir.resolve("baton.password") + "; data in "
                    + dataDir.resolve("data") + ")\n");
            assertThat(status.out()).doesNotContain(login.password());
            try (Connection connection = DriverManager.getConnection(login.urlWithPassword());
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("select to_regclass('flyway_schema_history') is null")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("not migrated").isTrue();
            }
            assertThat(Files.exists(dataDir.resolve("stopped"))).isFalse();
        } finally {
            server.stop();
        }
    }
}
