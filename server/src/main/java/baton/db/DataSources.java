package baton.db;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connection pools and schema migrations. */
public final class DataSources {

    private static final Logger log = LoggerFactory.getLogger(DataSources.class);

    /** How often the pool tries again to connect to a database that refuses (see {@link PatientDataSource}). */
    static final Duration RECONNECT_EVERY = Duration.ofMillis(100);

    private DataSources() {
    }

    /**
     * A pool on {@code url}: a JDBC URL ({@code jdbc:postgresql://…}) or a libpq URI
     * ({@code postgresql://user:password@host:port/db}).
     */
    public static HikariDataSource pool(String url, int maxSize) {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(jdbcUrl(url));
        postgres.setReWriteBatchedInserts(true);
        postgres.setApplicationName("baton");
        postgres.setConnectTimeout(5);
        PatientDataSource patient = new PatientDataSource(postgres, RECONNECT_EVERY);
        HikariConfig config = new HikariConfig();
        config.setDataSource(patient);
        config.setPoolName("baton");
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(1);
        // Writes run at read committed whatever the server's default; reads ask for their snapshot
        // per transaction (Database), so no connection's session state ever changes.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // Fail fast when the database is down, so callers get a clear sentence instead of a hang.
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config) {
            @Override
            public void close() {
                patient.close(); // a connection waiting for the database must not hold up the pool's end
                super.close();
            }
        };
    }

    /**
     * The newest migration in {@code db/migration}; a test fails when a newer file is added
     * without it.
     */
    static final String LATEST_MIGRATION = "4";

    /**
     * The failed migrations Flyway recorded, and the newest one that succeeded. One query on the
     * history table, where Flyway would scan the classpath for migrations and validate them all.
     */
    private static final String SCHEMA_VERSION = """
            select count(*) filter (where not success),
                   (array_agg(version order by installed_rank desc) filter (where success and version is not null))[1]
            from flyway_schema_history""";

    /**
     * Brings the schema up to date. When the newest migration is already applied and none
     * failed (every start but the first after an upgrade), that is one query; otherwise Flyway
     * applies what is missing, concurrent starters serialised by its lock.
     */
    public static void migrate(javax.sql.DataSource dataSource) {
        if (schemaIsCurrent(dataSource)) {
            return;
        }
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new BatonException(ErrorCode.STORAGE_UNAVAILABLE,
                    "The database schema could not be migrated: " + firstLine(e.getMessage()), e);
        }
    }

    /** Whether {@link #LATEST_MIGRATION} is applied and no migration failed; false when unsure. */
    static boolean schemaIsCurrent(javax.sql.DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(SCHEMA_VERSION)) {
            return rs.next() && rs.getLong(1) == 0 && LATEST_MIGRATION.equals(rs.getString(2));
        } catch (SQLException e) {
            if (e instanceof SQLTransientConnectionException || (e.getSQLState() != null && e.getSQLState().startsWith("08"))) {
                // no connection: Flyway would wait for one as long again, and fail the same way
                throw new BatonException(ErrorCode.STORAGE_UNAVAILABLE,
                        "The database schema could not be checked: " + firstLine(e.getMessage()), e);
            }
            // no history table yet (a new database), or one Flyway must look at: it decides
            log.debug("schema version not read ({}, SQLState {}); Flyway checks it", e.getMessage(), e.getSQLState());
            return false;
        }
    }

    static String jdbcUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The database URL is empty.");
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return url;
        }
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri = URI.create(url);
            StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
            if (uri.getPort() > 0) {
                jdbc.append(':').append(uri.getPort());
            }
            jdbc.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath());
            String query = uri.getRawQuery();
            String sep = "?";
            if (query != null && !query.isEmpty()) {
                jdbc.append('?').append(query);
                sep = "&";
            }
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                jdbc.append(sep).append("user=").append(parts[0]);
                if (parts.length == 2) {
                    jdbc.append("&password=").append(parts[1]);
                }
            }
            return jdbc.toString();
        }
        throw new BatonException(ErrorCode.CONFIGURATION,
                "The database URL must start with jdbc:postgresql:// or postgresql://.");
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unknown error.";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.endsWith(".") ? line : line + ".";
    }
}
