package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.conversation.BatonException;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The start-up's migration check: one query on the schema version when the schema is current. */
class MigrationCheckTest {

    @Test
    void latestMigrationNamesTheNewestFileInDbMigration() throws IOException, URISyntaxException {
        Path dir = Path.of(DataSources.class.getResource("/db/migration").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            int newest = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max(Comparator.naturalOrder())
                    .orElseThrow();
            assertThat(DataSources.LATEST_MIGRATION).isEqualTo(String.valueOf(newest));
        }
    }

    @Test
    void aNewDatabaseIsMigratedAndThenFoundCurrent() throws SQLException {
        try (HikariDataSource pool = DataSources.pool(newDatabase(), 2)) {
            assertThat(DataSources.schemaIsCurrent(pool)).isFalse();
            DataSources.migrate(pool);
            assertThat(DataSources.schemaIsCurrent(pool)).isTrue();
        }
    }

    @Test
    void aSchemaBehindIsMigratedByFlyway() throws SQLException {
        try (HikariDataSource pool = DataSources.pool(newDatabase(), 2)) {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").target("3").load().migrate();
            assertThat(DataSources.schemaIsCurrent(pool)).isFalse();
            DataSources.migrate(pool);
            assertThat(DataSources.schemaIsCurrent(pool)).isTrue();
        }
    }

    /**
     * Regression (start-up time): Flyway's full validation ran at every start. On a current schema
     * it no longer does, so a checksum it would reject does not stop the start.
     */
    @Test
    void aCurrentSchemaIsNotValidatedAgainByFlyway() throws SQLException {
        try (HikariDataSource pool = DataSources.pool(newDatabase(), 2)) {
            DataSources.migrate(pool);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("update flyway_schema_history set checksum = checksum + 1 where version = '1'");
            }
            DataSources.migrate(pool);
            assertThat(DataSources.schemaIsCurrent(pool)).isTrue();
        }
    }

    @Test
    void aFailedMigrationInTheHistoryLeavesTheDecisionToFlyway() throws SQLException {
        try (HikariDataSource pool = DataSources.pool(newDatabase(), 2)) {
            DataSources.migrate(pool);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("update flyway_schema_history set success = false where version = '2'");
            }
            assertThat(DataSources.schemaIsCurrent(pool)).isFalse();
        }
    }

    @Test
    void anUnreachableDatabaseFailsTheCheckWithASentenceWithoutTryingFlywayAfterIt() {
        try (HikariDataSource pool = DataSources.pool("jdbc:postgresql://127.0.0.1:1/baton?user=baton", 1)) {
            assertThatThrownBy(() -> DataSources.migrate(pool)).isInstanceOf(BatonException.class)
                    .hasMessageStartingWith("The database schema could not be checked: ");
        }
    }

    /** A database of its own in the tests' PostgreSQL. */
    private static String newDatabase() throws SQLException {
        String name = "migration_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = TestDatabase.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("create database " + name);
        }
        return TestDatabase.jdbcUrl().replaceFirst("/postgres\\?", "/" + name + "?");
    }
}
