package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.Turns;
import baton.db.DataSources;
import baton.db.Database;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An owner that closes the database without closing {@link Conversations} first (an embedding
 * application, a test) leaves the once-a-second fold task nothing to do: it stops by itself instead
 * of logging a database error every second into whatever reads the process's stderr.
 */
class ReadFoldsShutdownTest {

    @Test
    void theFoldTaskStopsQuietlyOnceItsDatabaseIsClosed() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        HikariDataSource pool = DataSources.pool(TestDatabase.jdbcUrl(), 2);
        try {
            Conversations conversations = new Conversations(new Database(pool), Clock.systemUTC());
            String project = Turns.project();
            Identity alice = new Identity("alice", project, Role.EDITOR);
            Identity bob = new Identity("bob", project, Role.EDITOR);
            UUID id = conversations.create(alice, "left open").id();
            conversations.append(alice, id, Turns.turn("q"));
            conversations.share(alice, id, null);
            conversations.read(bob, id, -1, 10); // written: its window now folds
            conversations.read(bob, id, -1, 10); // folded: the task has something to add
            pool.close();
            Thread.sleep(2_500); // two ticks of the task
            assertThat(captured.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                    && e.getThreadName().equals("baton-activity-flush")).isEmpty();
        } finally {
            root.detachAppender(captured);
            pool.close();
        }
    }
}
