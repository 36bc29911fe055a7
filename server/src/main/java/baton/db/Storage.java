package baton.db;

import baton.config.StartupTrace;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database Baton runs on: an external PostgreSQL when a URL is given, otherwise the embedded
 * one in the data directory (started if no other Baton process runs it already). Migrated on open.
 */
public final class Storage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Storage.class);

    private final CompletableFuture<HikariDataSource> pool;
    private final Database database;

    private Storage(CompletableFuture<HikariDataSource> pool) {
        this.pool = pool;
        this.database = new Database(pool.isDone() ? pool.join() : new AwaitedDataSource(pool));
    }

    /**
     * Opens the storage and returns when it is ready.
     *
     * @param dbUrl an external PostgreSQL, or null for the embedded one
     * @param dataDir the embedded PostgreSQL's directory
     * @param poolSize connections in the pool
     * @throws BatonException when the database cannot be reached or migrated
     */
    public static Storage open(String dbUrl, Path dataDir, int poolSize) {
        return new Storage(CompletableFuture.completedFuture(openPool(dbUrl, dataDir, poolSize)));
    }

    /**
     * Opens the storage on a thread of its own and returns at once, so that a server can answer
     * what needs no database (the MCP handshake, the lists of tools and prompts) meanwhile. The
     * first use of the database waits for the open; {@link #opened()} tells how it ended.
     */
    public static Storage openInBackground(String dbUrl, Path dataDir, int poolSize) {
        CompletableFuture<HikariDataSource> pool = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                pool.complete(openPool(dbUrl, dataDir, poolSize));
            } catch (Throwable e) {
                pool.completeExceptionally(e);
            }
        }, "baton-storage-open");
        opener.setDaemon(true);
        opener.start();
        return new Storage(pool);
    }

    private static HikariDataSource openPool(String dbUrl, Path dataDir, int poolSize) {
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
            StartupTrace.mark("embedded PostgreSQL found");
            // A server that stops under this process (killed, crashed) is started again by it.
            pool = DataSources.pool(login, poolSize, server::startUnlessStoppedOnPurpose);
        } else {
            DataSources.checkConnection(dbUrl);
            pool = DataSources.pool(dbUrl, poolSize);
        }
        StartupTrace.mark("pool created");
        try {
            DataSources.migrate(pool);
            StartupTrace.mark("schema checked");
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    /**
     * Completes when the database is open and migrated, or exceptionally with the
     * {@link BatonException} (or other failure) that says why it could not be opened.
     */
    public CompletableFuture<Void> opened() {
        return pool.thenApply(p -> null);
    }

    public Database database() {
        return database;
    }

    /**
     * Closes the pool. An open still under way is not waited for (a stdio session ends within a
     * second of its stdin closing, even while an unreachable database is being tried): its pool
     * is closed as soon as it opens.
     */
    @Override
    public void close() {
        pool.thenAccept(HikariDataSource::close);
    }
}
