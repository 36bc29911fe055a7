package baton.db;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database Baton runs on: an external PostgreSQL when a URL is given, otherwise the embedded
 * one in the data directory (started if no other Baton process runs it already). Migrated on open.
 */
public final class Storage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Storage.class);

    private final HikariDataSource dataSource;
    private final Database database;

    private Storage(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.database = new Database(dataSource);
    }

    /**
     * @param dbUrl an external PostgreSQL, or null for the embedded one
     * @param dataDir the embedded PostgreSQL's directory
     * @param poolSize connections in the pool
     */
    public static Storage open(String dbUrl, Path dataDir, int poolSize) {
        HikariDataSource pool;
        if (dbUrl == null || dbUrl.isBlank()) {
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir);
            EmbeddedPostgresServer.Login login;
            try {
                login = server.ensureRunning();
            } catch (IllegalStateException e) {
                // shown to the operator who started Baton, never to an MCP caller
                throw new BatonException(ErrorCode.STORAGE_UNAVAILABLE, e.getMessage(), e);
            }
            log.info("using the embedded PostgreSQL in {} as role {}", dataDir, login.user());
            // A server that stops under this process (killed, crashed) is started again by it.
            pool = DataSources.pool(login, poolSize, server::startUnlessStoppedOnPurpose);
        } else {
            DataSources.checkConnection(dbUrl);
            pool = DataSources.pool(dbUrl, poolSize);
        }
        try {
            DataSources.migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Storage(pool);
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
