package baton.db;

import baton.conversation.BatonException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that is still being opened (see {@link Storage#openInBackground}): a connection
 * asked for waits for the open to end, then comes from the opened pool; when the open failed, it
 * fails with the sentence that says why.
 */
final class AwaitedDataSource implements DataSource {

    private final CompletableFuture<? extends DataSource> opening;

    AwaitedDataSource(CompletableFuture<? extends DataSource> opening) {
        this.opening = opening;
    }

    private DataSource opened() throws SQLException {
        try {
            return opening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for the database to open", "08000", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BatonException be) {
                throw be;
            }
            throw new SQLTransientConnectionException("the database could not be opened", "08000", e.getCause());
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return opened().getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return opened().getConnection(user, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return opened().getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        opened().setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        opened().setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return opened().getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : opened().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || opened().isWrapperFor(iface);
    }
}
