package baton.db;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.util.PSQLException;
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
        PGSimpleDataSource postgres = postgres(url);
        return pool(postgres, new PatientDataSource(postgres, RECONNECT_EVERY), maxSize);
    }

    /**
     * A pool on the embedded PostgreSQL as Baton's role. When the server refuses connections,
     * {@code startAgain} is asked to start it (it returns the login, whose port may have changed,
     * or nothing when the server was stopped on purpose).
     */
    public static HikariDataSource pool(EmbeddedPostgresServer.Login login, int maxSize,
                                        Supplier<Optional<EmbeddedPostgresServer.Login>> startAgain) {
        PGSimpleDataSource postgres = postgres(login.url());
        postgres.setUser(login.user());
        postgres.setPassword(login.password());
        Runnable whenRefused = () -> startAgain.get()
                .ifPresent(again -> postgres.setPortNumbers(new int[] {again.port()}));
        return pool(postgres, new PatientDataSource(postgres, RECONNECT_EVERY, whenRefused), maxSize);
    }

    /**
     * Connects once, directly (no pool, no waiting), and closes: a URL that cannot connect fails
     * here with one sentence naming the cause, before anything else is built on it.
     */
    public static void checkConnection(String url) {
        PGSimpleDataSource postgres = postgres(url);
        try (Connection ignored = postgres.getConnection()) {
            // it connects
        } catch (SQLException e) {
            throw cannotConnect(postgres, e);
        }
    }

    /** One sentence for a failed login: the server's own reason, or what the network said. */
    static BatonException cannotConnect(PGSimpleDataSource postgres, SQLException e) {
        String host = postgres.getServerNames().length == 0 ? "localhost" : postgres.getServerNames()[0];
        int port = postgres.getPortNumbers().length == 0 || postgres.getPortNumbers()[0] == 0
                ? 5432 : postgres.getPortNumbers()[0];
        String where = host + ":" + port;
        String database = postgres.getDatabaseName() == null ? "" : postgres.getDatabaseName();
        Throwable cause = e.getCause();
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null
                && psql.getServerErrorMessage().getMessage() != null) {
            // role "nobody" does not exist / password authentication failed for user "x" /
            // database "x" does not exist / no pg_hba.conf entry for host …
            return new BatonException(ErrorCode.CONFIGURATION, "The database at " + where + " refused Baton: "
                    + firstLine(psql.getServerErrorMessage().getMessage()), e);
        }
        if (cause instanceof ConnectException) {
            return new BatonException(ErrorCode.STORAGE_UNAVAILABLE, "The database connection was refused at "
                    + where + ": no PostgreSQL accepts connections there.", e);
        }
        if (cause instanceof UnknownHostException) {
            return new BatonException(ErrorCode.CONFIGURATION, "The database host " + host + " is unknown.", e);
        }
        if (cause instanceof SocketTimeoutException
                || String.valueOf(e.getMessage()).startsWith("Connection attempt timed out")) {
            return new BatonException(ErrorCode.STORAGE_UNAVAILABLE, "The database at " + where
                    + " did not answer within " + postgres.getConnectTimeout() + " s.", e);
        }
        if ("08004".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("no password was provided")) {
            return new BatonException(ErrorCode.CONFIGURATION, "The database at " + where
                    + " requires a password and the database URL has none.", e);
        }
        return new BatonException(ErrorCode.STORAGE_UNAVAILABLE, "Cannot connect to the database at " + where
                + (database.isEmpty() ? "" : "/" + database) + ": " + firstLine(e.getMessage()), e);
    }

    private static PGSimpleDataSource postgres(String url) {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(jdbcUrl(url));
        postgres.setReWriteBatchedInserts(true);
        postgres.setApplicationName("baton");
        postgres.setConnectTimeout(5);
        // the whole login too: a server that takes the connection and never answers is given up
        postgres.setLoginTimeout(5);
        return postgres;
    }

    private static HikariDataSource pool(PGSimpleDataSource postgres, PatientDataSource patient, int maxSize) {
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
    static final String LATEST_MIGRATION = "10";

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
