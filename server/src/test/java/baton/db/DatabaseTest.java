package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a caller of {@link Database} is told when the connection breaks: before the commit nothing
 * was changed; during the commit no one can know, and the sentence must not claim otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DatabaseTest {

    private static final String TABLE = "commit_probe_" + UUID.randomUUID().toString().replace("-", "");
    private static HikariDataSource pool;
    private static Database database;

    @BeforeAll
    static void createTableWhoseCommitWaits() throws SQLException {
        pool = DataSources.pool(TestDatabase.jdbcUrl(), 2);
        database = new Database(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            // A deferred constraint trigger runs at COMMIT: the commit of an insert takes 30 s,
            // long enough to break its connection while the commit is in flight.
            s.execute("create table " + TABLE + " (id int primary key)");
            s.execute("create function " + TABLE + "_slow() returns trigger language plpgsql as "
                    + "$$ begin perform pg_sleep(30); return null; end $$");
            s.execute("create constraint trigger slow_commit after insert on " + TABLE
                    + " deferrable initially deferred for each row execute function " + TABLE + "_slow()");
        }
    }

    @AfterAll
    static void dropTable() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table " + TABLE);
            s.execute("drop function " + TABLE + "_slow()");
        }
        pool.close();
    }

    @Test
    void aConnectionLostDuringTheCommitSaysTheOutcomeIsUnknown() throws Exception {
        CompletableFuture<Integer> backend = new CompletableFuture<>();
        CompletableFuture<Object> write = CompletableFuture.supplyAsync(() -> database.write("probing a commit", c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("insert into " + TABLE + " values (1)");
                try (ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                    rs.next();
                    backend.complete(rs.getInt(1));
                }
            }
            return null;
        }));
        int pid = backend.get(10, TimeUnit.SECONDS);
        awaitSleepingInCommit(pid);

        terminate(pid);

        assertThatThrownBy(() -> write.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(BatonException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("The database became unavailable while committing "
                            + "(probing a commit), so the change may or may not have been saved; check before "
                            + "repeating it (an append retried with the same message ids is never duplicated).");
                });
        assertThat(count()).as("terminated before the commit ended: rolled back").isZero();
    }

    @Test
    void aConnectionLostBeforeTheCommitSaysNothingWasChanged() throws Exception {
        CompletableFuture<Object> write = CompletableFuture.supplyAsync(() -> database.write("probing a statement",
                c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("select pg_terminate_backend(pg_backend_pid())");
                    }
                    return null;
                }));

        assertThatThrownBy(() -> write.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(BatonException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("The database is unavailable while probing a statement;"
                            + " nothing was changed, try again shortly.");
                });
    }

    private static void awaitSleepingInCommit(int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Connection c = pool.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "select 1 from pg_stat_activity where pid = ? and wait_event = 'PgSleep'")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("backend " + pid + " never reached the commit's trigger");
    }

    private static void terminate(int pid) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("select pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            ps.execute();
        }
    }

    private static int count() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from " + TABLE)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
