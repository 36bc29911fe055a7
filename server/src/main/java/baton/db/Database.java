package baton.db;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of work in transactions and turns {@link SQLException} into {@link BatonException}s
 * whose messages are safe to show a caller. Serialization failures and deadlocks are retried.
 */
public final class Database {

    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int MAX_ATTEMPTS = 5;

    /** A unit of work on one connection inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;

    public Database(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** True once the pool under this database was closed by its owner: nothing will run any more. */
    public boolean isClosed() {
        return dataSource instanceof HikariDataSource pool && pool.isClosed();
    }

    /** Runs {@code work} in a read-committed transaction. */
    public <T> T write(String action, Work<T> work) {
        return run(action, false, work);
    }

    /** Runs {@code work} in a read-only repeatable-read transaction: every statement sees one snapshot. */
    public <T> T read(String action, Work<T> work) {
        return run(action, true, work);
    }

    /** PostgreSQL's default isolation is read committed, which writes use as it is. */
    private static final String READ_ONLY_SNAPSHOT = "set transaction isolation level repeatable read, read only";

    /** How far one attempt got: what a failure means depends on it. */
    private enum Stage { WORK, COMMIT, DONE }

    private <T> T run(String action, boolean readOnly, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            Stage stage = Stage.WORK;
            T result = null;
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    if (readOnly) {
                        // For this transaction only, sent with its BEGIN: the session keeps its
                        // defaults, so the pool has nothing to reset (each reset is a round trip).
                        try (Statement set = connection.createStatement()) {
                            set.execute(READ_ONLY_SNAPSHOT);
                        }
                    }
                    result = work.run(connection);
                    stage = Stage.COMMIT;
                    connection.commit();
                    stage = Stage.DONE;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection);
                    throw e;
                }
                // No reset here: the pool restores auto-commit itself when the connection goes back.
            } catch (SQLException e) {
                if (stage == Stage.DONE) {
                    // Committed: only handing the connection back failed, and the pool drops it.
                    log.debug("{}: committed, but the connection failed afterwards: {}", action, e.getMessage());
                    return result;
                }
                if (isRetryable(e) && attempt < MAX_ATTEMPTS) {
                    log.debug("{}: retrying after {} (attempt {})", action, e.getSQLState(), attempt);
                    continue;
                }
                if (stage == Stage.COMMIT && !readOnly && isUnavailable(e)) {
                    throw commitOutcomeUnknown(action, e);
                }
                throw translate(action, e);
            }
            return result;
        }
    }

    /**
     * The connection broke after the commit was sent and before its answer came: the server may
     * have committed or not, and no one can tell this caller which. Saying "nothing was changed"
     * would be a guess, so the sentence says so and names the safe way to retry.
     */
    private static BatonException commitOutcomeUnknown(String action, SQLException e) {
        log.warn("{}: the database became unavailable during the commit (SQLState {}): {}", action,
                e.getSQLState(), e.getMessage());
        return new BatonException(ErrorCode.STORAGE_UNAVAILABLE, "The database became unavailable while committing ("
                + action + "), so the change may or may not have been saved; check before repeating it"
                + " (an append retried with the same message ids is never duplicated).", e);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed", e);
        }
    }

    private static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    private static boolean isUnavailable(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || (state != null && (state.startsWith("08") || state.startsWith("57P")));
    }

    /** Wraps an SQL failure with context; the caller sees one sentence, the log keeps SQLState and cause. */
    public static BatonException translate(String action, SQLException e) {
        String state = e.getSQLState();
        if (isUnavailable(e)) {
            log.warn("{}: database unavailable (SQLState {}): {}", action, state, e.getMessage());
            return new BatonException(ErrorCode.STORAGE_UNAVAILABLE,
                    "The database is unavailable while " + action + "; nothing was changed, try again shortly.", e);
        }
        log.error("{}: database error (SQLState {})", action, state, e);
        return new BatonException(ErrorCode.INTERNAL,
                "An internal error occurred while " + action + "; nothing was changed.", e);
    }
}
