package baton;

import baton.db.DataSources;
import baton.db.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.sql.DataSource;

/**
 * One real embedded PostgreSQL per test JVM, migrated once. Tests keep apart by working in
 * projects of their own (nothing in Baton crosses projects), so no test cleans up after another.
 */
public final class TestDatabase {

    private static EmbeddedPostgres postgres;
    private static Database database;

    private TestDatabase() {
    }

    public static synchronized Database database() {
        if (database == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is ending anyway
                }
            }));
            DataSource pool = DataSources.pool(postgres.getJdbcUrl("postgres", "postgres"), 16);
            DataSources.migrate(pool);
            database = new Database(pool);
        }
        return database;
    }

    public static String jdbcUrl() {
        database();
        return postgres.getJdbcUrl("postgres", "postgres");
    }
}
