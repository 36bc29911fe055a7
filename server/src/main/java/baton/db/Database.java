package baton.db;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
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

    private <T> T run(String action, boolean readOnly, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
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
                    T result = work.run(connection);
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection);
                    throw e;
                }
                // No reset here: the pool restores auto-commit itself when the connection goes back.
            } catch (SQLException e) {
                if (isRetryable(e) && attempt < MAX_ATTEMPTS) {
                    log.debug("{}: retrying after {} (attempt {})", action, e.getSQLState(), attempt);
                    continue;
                }
                throw translate(action, e);
            }
        }
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

    /** Wraps an SQL failure with context; the caller sees one sentence, the log keeps SQLState and cause. */
    public static BatonException translate(String action, SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException || (state != null && state.startsWith("08"))
                || (state != null && state.startsWith("57P"))) {
            log.warn("{}: database unavailable (SQLState {}): {}", action, state, e.getMessage());
            return new BatonException(ErrorCode.STORAGE_UNAVAILABLE,
                    "The database is unavailable while " + action + "; nothing was changed, try again shortly.", e);
        }
        log.error("{}: database error (SQLState {})", action, state, e);
        return new BatonException(ErrorCode.INTERNAL,
                "An internal error occurred while " + action + "; nothing was changed.", e);
    }
}
