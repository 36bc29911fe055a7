package baton.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * What the connection pool connects through: while the database refuses connections (stopped,
 * starting, shutting down), a new connection waits for it, trying again every {@code retry},
 * instead of failing.
 *
 * <p>Why: HikariCP backs off between failed attempts to connect, doubling the pause up to 5 s, so
 * after an outage of more than a few seconds the pool would reconnect only up to 5 s after the
 * database's return. Waiting here means the pool's attempt never fails during an outage and
 * succeeds within {@code retry} of the database's return. Callers are not held longer: they wait
 * for a pooled connection at most the pool's connection timeout either way, and are then told
 * that the database is unavailable. Other failures (a wrong password, an unknown database) fail
 * at once.
 *
 * <p>On the embedded PostgreSQL, a refusal also runs {@code whenRefused} (at most once every
 * {@link #REVIVE_EVERY}), which starts the server again when it stopped under this process.
 */
final class PatientDataSource implements DataSource {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(PatientDataSource.class);

    private final DataSource delegate;
    static final Duration REVIVE_EVERY = Duration.ofSeconds(2);

    private final long retryMillis;
    private final Runnable whenRefused;
    private final Object reviving = new Object();
    private long lastRevive = System.nanoTime() - REVIVE_EVERY.toNanos();
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile boolean closed;

    PatientDataSource(DataSource delegate, Duration retry) {
        this(delegate, retry, null);
    }

    /** @param whenRefused run when the database refuses (may be null): it may start it again */
    PatientDataSource(DataSource delegate, Duration retry, Runnable whenRefused) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.retryMillis = retry.toMillis();
        this.whenRefused = whenRefused;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return patiently(delegate::getConnection);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return patiently(() -> delegate.getConnection(user, password));
    }

    /** Stops waiting: a connection still waiting fails with the database's last refusal. */
    void close() {
        closed = true;
    }

    private interface Connect {
        Connection connect() throws SQLException;
    }

    private Connection patiently(Connect connect) throws SQLException {
        while (true) {
            try {
                Connection connection = connect.connect();
                if (waiting.compareAndSet(true, false)) {
                    log.info("The database accepts connections again");
                }
                return connection;
            } catch (SQLException e) {
                if (closed || !refusedForNow(e)) {
                    throw e;
                }
                if (waiting.compareAndSet(false, true)) {
                    log.warn("The database refuses connections ({}, SQLState {}); waiting for it", e.getMessage(),
                            e.getSQLState());
                }
                revive();
                try {
                    Thread.sleep(retryMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Runs {@code whenRefused} unless it ran less than {@link #REVIVE_EVERY} ago; one thread at a time. */
    private void revive() {
        if (whenRefused == null) {
            return;
        }
        synchronized (reviving) {
            if (closed || System.nanoTime() - lastRevive < REVIVE_EVERY.toNanos()) {
                return;
            }
            try {
                whenRefused.run();
            } catch (RuntimeException failure) {
                log.warn("The database could not be started again: {}", failure.getMessage());
            } finally {
                lastRevive = System.nanoTime();
            }
        }
    }

    /** Connection refused or broken (class 08), or the server cannot take connections yet (57P03). */
    static boolean refusedForNow(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P03"));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
