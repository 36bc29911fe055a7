package baton.db;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;

/** Connection pools and schema migrations. */
public final class DataSources {

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

    /** Applies the versioned migrations; concurrent starters are serialised by Flyway's lock. */
    public static void migrate(javax.sql.DataSource dataSource) {
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
