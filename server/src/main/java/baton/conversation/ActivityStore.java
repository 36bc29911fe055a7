package baton.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The SQL of conversation activity (migration V9). Like {@link ConversationStore} it knows no access
 * rules; {@link Conversations} decides who may list what.
 */
final class ActivityStore {

    /** Reads of one reader at one boundary within this many seconds are one event. */
    static final long FOLD_SECONDS = 600;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private static final String COLUMNS = """
            id, project_id, conversation_id, actor_id, action, at, last_at, count, details::text as details""";

    /**
     * A read, folded: the first read of a reader at a boundary in a window inserts the event, the
     * next ones add to its count (an update that touches no indexed column, so PostgreSQL keeps it
     * on the same page). The commit does not wait for the disk (synchronous_commit off, for this
     * transaction only): a read costs a round trip, not a flush. A crash of PostgreSQL itself
     * (not of Baton) may lose the last fraction of a second of such events.
     */
    private static final String RECORD_READ = """
            insert into conversation_activity (project_id, conversation_id, actor_id, action, at, last_at, count,
                details, fold_boundary, fold_window)
            select ?, ?, ?, 'read', ?, ?, 1, ?::jsonb, ?, ?
              from (select set_config('synchronous_commit', 'off', true)) as relaxed
            on conflict (conversation_id, actor_id, fold_boundary, fold_window) where action = 'read'
            do update set count = conversation_activity.count + 1,
                          last_at = greatest(conversation_activity.last_at, excluded.last_at)""";

    /** Counts folded in a process's memory, added to their events in one statement. */
    private static final String ADD_FOLDED = """
            update conversation_activity a
               set count = a.count + f.n, last_at = greatest(a.last_at, f.last_at)
              from unnest(?::uuid[], ?::text[], ?::integer[], ?::bigint[], ?::integer[], ?::timestamptz[])
                as f(conversation_id, actor_id, boundary, fold_window, n, last_at)
             where a.action = 'read' and a.conversation_id = f.conversation_id and a.actor_id = f.actor_id
               and a.fold_boundary = f.boundary and a.fold_window = f.fold_window""";

    /** Reads folded in memory under {@code key}: {@code count} more, the last at {@code lastMicros} (µs since the epoch). */
    record FoldedReads(ReadFolds.Key key, long count, long lastMicros) {
    }

    private static final String INSERT = """
            insert into conversation_activity (project_id, conversation_id, actor_id, action, at, last_at, details)
            values (?, ?, ?, ?, ?, ?, ?::jsonb)""";

    private static final String PAGE = "select " + COLUMNS + """
             from conversation_activity
            where conversation_id = ? and (at, id) < (?, ?)
            order by at desc, id desc
            limit ?""";

    private static final String EXPORT = "select " + COLUMNS + """
             from conversation_activity
            where project_id = ? and at >= ?
            order by at, id""";

    /** A deleted conversation's titles leave with it: rename events keep that it was renamed, not to what. */
    private static final String SCRUB_TITLES = """
            update conversation_activity
               set details = details - 'old_title' - 'new_title'
             where conversation_id = ? and action = 'rename'""";

    void recordRead(Connection c, String projectId, UUID conversationId, String actorId, int boundaryIndex,
            Map<String, Object> details, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_READ)) {
            ps.setString(1, projectId);
            ps.setObject(2, conversationId);
            ps.setString(3, actorId);
            ps.setObject(4, timestamp(at));
            ps.setObject(5, timestamp(at));
            ps.setString(6, json(details));
            ps.setInt(7, boundaryIndex);
            ps.setLong(8, Math.floorDiv(at.getEpochSecond(), FOLD_SECONDS));
            ps.executeUpdate();
        }
    }

    void addFolded(Connection c, List<FoldedReads> folded) throws SQLException {
        int n = folded.size();
        UUID[] ids = new UUID[n];
        String[] actors = new String[n];
        Integer[] boundaries = new Integer[n];
        Long[] windows = new Long[n];
        Integer[] counts = new Integer[n];
        String[] last = new String[n];
        for (int i = 0; i < n; i++) {
            FoldedReads f = folded.get(i);
            ids[i] = f.key().conversationId();
            actors[i] = f.key().actorId();
            boundaries[i] = f.key().boundary();
            windows[i] = f.key().window();
            counts[i] = (int) Math.min(Integer.MAX_VALUE, f.count());
            last[i] = Instant.EPOCH.plus(f.lastMicros(), java.time.temporal.ChronoUnit.MICROS).toString();
        }
        try (PreparedStatement ps = c.prepareStatement(ADD_FOLDED)) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setArray(2, c.createArrayOf("text", actors));
            ps.setArray(3, c.createArrayOf("integer", boundaries));
            ps.setArray(4, c.createArrayOf("bigint", windows));
            ps.setArray(5, c.createArrayOf("integer", counts));
            ps.setArray(6, c.createArrayOf("text", last));
            ps.executeUpdate();
        }
    }

    void record(Connection c, String projectId, UUID conversationId, String actorId, String action,
            Map<String, Object> details, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, projectId);
            ps.setObject(2, conversationId);
            ps.setString(3, actorId);
            ps.setString(4, action);
            ps.setObject(5, timestamp(at));
            ps.setObject(6, timestamp(at));
            ps.setString(7, json(details));
            ps.executeUpdate();
        }
    }

    List<ActivityEvent> page(Connection c, UUID conversationId, Instant beforeAt, long beforeId, int limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PAGE)) {
            ps.setObject(1, conversationId);
            ps.setObject(2, timestamp(beforeAt));
            ps.setLong(3, beforeId);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<ActivityEvent> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(event(rs));
                }
                return out;
            }
        }
    }

    /** Every event of the project from {@code since} on, oldest first, streamed to {@code sink}. */
    long export(Connection c, String projectId, Instant since, Consumer<ActivityEvent> sink) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EXPORT)) {
            ps.setString(1, projectId);
            ps.setObject(2, timestamp(since));
            ps.setFetchSize(1000); // a cursor: a project's whole log is never held in memory
            long n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(event(rs));
                    n++;
                }
            }
            return n;
        }
    }

    void scrubTitles(Connection c, UUID conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SCRUB_TITLES)) {
            ps.setObject(1, conversationId);
            ps.executeUpdate();
        }
    }

    private static ActivityEvent event(ResultSet rs) throws SQLException {
        Map<String, Object> details;
        try {
            details = JSON.readValue(rs.getString("details"), MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored activity details are not JSON", e);
        }
        return new ActivityEvent(rs.getLong("id"), rs.getString("project_id"),
                rs.getObject("conversation_id", UUID.class), rs.getString("actor_id"), rs.getString("action"),
                rs.getObject("at", OffsetDateTime.class).toInstant(),
                rs.getObject("last_at", OffsetDateTime.class).toInstant(), rs.getInt("count"), details);
    }

    private static String json(Map<String, Object> details) {
        try {
            return JSON.writeValueAsString(details == null ? Map.of() : details);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("activity details must be JSON values", e);
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
