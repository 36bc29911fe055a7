package baton.bench;

import baton.conversation.Conversations;
import baton.conversation.ForkResult;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.Role;
import baton.db.Database;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Times Baton's fork (one INSERT … SELECT in one transaction) against a row-by-row copy done the
 * way a naive implementation does it (one INSERT per message, each committed on its own), on
 * conversations of the given sizes, in one run on one database. Figures are reported as medians
 * and as ratios, never as absolute pass/fail thresholds.
 */
public final class ForkBenchmark {

    private final Database db;
    private final Conversations conversations;
    private final PrintStream out;

    public ForkBenchmark(Database db, PrintStream out) {
        this.db = db;
        this.conversations = new Conversations(db, Clock.systemUTC());
        this.out = out;
    }

    /**
     * Runs the benchmark for each size: {@code repeats} forks, and half as many row-by-row copies,
     * taking turns. Each timed copy starts right after a checkpoint, so neither kind inherits the
     * other's unwritten pages or pays for the other's checkpoint.
     */
    public void run(int[] sizes, int repeats, boolean rowByRow) {
        Identity owner = new Identity("bench-owner", "bench-" + UUID.randomUUID(), Role.EDITOR);
        Identity member = new Identity("bench-member", owner.projectId(), Role.EDITOR);
        out.printf("%-10s %14s %14s %16s %10s%n", "messages", "fork ms", "µs/message", "row-by-row ms", "ratio");
        boolean checkpoints = true;
        for (int size : sizes) {
            UUID id = BenchData.conversation(conversations, owner, size);
            conversations.share(owner, id, null);
            conversations.fork(member, id, null); // warm up caches and the JIT on this size
            long[] fork = new long[repeats];
            long[] copy = new long[rowByRow ? Math.max(1, repeats / 2) : 0];
            for (int i = 0; i < repeats; i++) {
                checkpoints = checkpoints && checkpoint();
                long start = System.nanoTime();
                ForkResult result = conversations.fork(member, id, null);
                fork[i] = System.nanoTime() - start;
                if (result.copiedMessages() != size) {
                    throw new IllegalStateException("fork copied " + result.copiedMessages() + " of " + size);
                }
                if (i < copy.length) {
                    checkpoints = checkpoints && checkpoint();
                    start = System.nanoTime();
                    rowByRowCopy(member, id);
                    copy[i] = System.nanoTime() - start;
                }
            }
            double forkMs = BenchData.median(fork) / 1e6;
            String naive = "-";
            String ratio = "-";
            if (rowByRow) {
                double naiveMs = BenchData.median(copy) / 1e6;
                naive = String.format("%.1f", naiveMs);
                ratio = String.format("%.1fx", naiveMs / forkMs);
            }
            out.printf("%-10d %14.1f %14.2f %16s %10s%n", size, forkMs, forkMs * 1000 / size, naive, ratio);
        }
        if (!checkpoints) {
            out.println("(no checkpoints between copies: the database user may not run CHECKPOINT)");
        }
    }

    /** A checkpoint, when the database user may ask for one; false when it may not. */
    private boolean checkpoint() {
        try (Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("checkpoint");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * The reference way: read the messages, then insert a new conversation and each message with
     * its own statement and its own commit (so a failure leaves a partial copy).
     */
    private void rowByRowCopy(Identity caller, UUID source) {
        List<Message> messages = conversations.readAll(caller, source).messages();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(true);
            UUID target = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into conversations (id, project_id, owner_id, title, created_at, updated_at, message_count)
                    values (?, ?, ?, 'row-by-row copy', now(), now(), ?)""")) {
                ps.setObject(1, target);
                ps.setString(2, caller.projectId());
                ps.setString(3, caller.userId());
                ps.setInt(4, messages.size());
                ps.executeUpdate();
            }
            Map<UUID, UUID> newIds = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into messages (id, conversation_id, parent_id, idx, role, type, tool, content_type, content, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                for (Message m : messages) {
                    UUID newId = UUID.randomUUID();
                    newIds.put(m.id(), newId);
                    ps.setObject(1, newId);
                    ps.setObject(2, target);
                    ps.setObject(3, m.parentId() == null ? null : newIds.get(m.parentId()));
                    ps.setInt(4, m.index());
                    ps.setString(5, m.role().wireName());
                    ps.setString(6, m.type().wireName());
                    ps.setString(7, m.tool());
                    ps.setString(8, m.contentType().wireName());
                    ps.setString(9, m.content());
                    ps.setObject(10, m.createdAt().atOffset(java.time.ZoneOffset.UTC));
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw Database.translate("copying row by row", e);
        }
    }
}
