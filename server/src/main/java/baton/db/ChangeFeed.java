package baton.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL {@code LISTEN} connection, outside the pool, and a thread that hands each
 * notification's payload to a listener. A lost connection is opened again and the channel listened
 * to again; what was announced in between is lost, so the listener is told it may have missed
 * something ({@link Listener#missed()}) each time listening starts again.
 *
 * <p>Why a connection of its own: a pooled connection goes back to the pool after each transaction
 * and would stop listening, and notifications arrive only on the connection that listens.
 */
public final class ChangeFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** How long one wait for notifications lasts; also how soon {@link #close()} is noticed. */
    private static final int WAIT_MILLIS = 250;
    /** How often an idle connection is checked, so a silently broken one is noticed. */
    private static final long CHECK_EVERY_MILLIS = 5_000;
    private static final long RETRY_MILLIS = 200;
    /** The application name of every listening connection. */
    public static final String APPLICATION_NAME = "baton listener";

    /** Hears the payloads of one channel. Called on the feed's own thread, one call at a time. */
    public interface Listener {
        void changed(String payload);

        /** Listening started again after the connection was lost: announcements may have been missed. */
        void missed();
    }

    private final DataSource connections;
    private final String channel;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean listening;
    private final CompletableFuture<Void> firstListening = new CompletableFuture<>();

    private ChangeFeed(DataSource connections, String channel, Listener listener) {
        this.connections = connections;
        this.channel = channel;
        this.listener = listener;
        this.thread = new Thread(this::run, "baton-listen-" + channel);
        this.thread.setDaemon(true);
    }

    /** Starts listening on {@code channel} with a connection of the database's own, not a pooled one. */
    public static ChangeFeed start(Database database, String channel, Listener listener) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel must be a plain lower-case identifier: " + channel);
        }
        ChangeFeed feed = new ChangeFeed(database.dataSource(), channel,
                Objects.requireNonNull(listener, "listener must not be null"));
        feed.thread.start();
        return feed;
    }

    /**
     * Where the pool gets its connections (Baton's pool wraps a data source), else the data source
     * itself. Asked on the feed's own thread at each connection, since a pool still opening in the
     * background (a stdio start) is known only once it is open.
     */
    private static DataSource unpooled(DataSource dataSource) throws SQLException {
        if (dataSource.isWrapperFor(HikariDataSource.class)) {
            HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
            if (pool.getDataSource() != null) {
                return pool.getDataSource();
            }
        }
        return dataSource;
    }

    /** Completes when the feed listens for the first time: changes committed after that are heard. */
    public CompletionStage<Void> firstListening() {
        return firstListening.minimalCompletionStage();
    }

    /** Whether the feed is listening now (for tests and health). */
    public boolean listening() {
        return listening;
    }

    private void run() {
        boolean first = true;
        while (!closed) {
            try (Connection connection = unpooled(connections).getConnection()) {
                connection.setAutoCommit(true);
                try (Statement listen = connection.createStatement()) {
                    // named, so an operator can tell it from the pool's connections in pg_stat_activity
                    listen.execute("SET application_name = '" + APPLICATION_NAME + "'");
                    listen.execute("LISTEN " + channel);
                }
                listening = true;
                firstListening.complete(null);
                if (!first) {
                    log.info("listening on {} again", channel);
                    deliverMissed();
                }
                first = false;
                receive(connection);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                if (listening) {
                    log.warn("lost the connection listening on {}: {}", channel, e.getMessage());
                } else {
                    log.debug("cannot listen on {} yet: {}", channel, e.getMessage());
                }
                first = false;
                listening = false;
                pause();
            }
        }
        listening = false;
    }

    private void receive(Connection connection) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        long lastCheck = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = postgres.getNotifications(WAIT_MILLIS);
            if (notifications != null && notifications.length > 0) {
                for (PGNotification n : notifications) {
                    deliver(n.getParameter());
                }
                lastCheck = System.nanoTime();
            } else if (System.nanoTime() - lastCheck > CHECK_EVERY_MILLIS * 1_000_000L) {
                if (!connection.isValid(2)) {
                    throw new SQLException("the listening connection does not answer", "08006");
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    private void deliver(String payload) {
        try {
            listener.changed(payload);
        } catch (RuntimeException e) {
            log.warn("a listener of {} failed on '{}'", channel, payload, e);
        }
    }

    private void deliverMissed() {
        try {
            listener.missed();
        } catch (RuntimeException e) {
            log.warn("a listener of {} failed after reconnecting", channel, e);
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops listening; waits at most half a second for the (daemon) thread, so a closing process is not held up. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
