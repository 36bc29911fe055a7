package baton.conversation;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of messages: pages cut at a boundary, the skeleton that withholding decides on, turn
 * ends and roots, the batch insert of an append and the one-statement copy of a fork. Every
 * method runs on a connection whose transaction its caller (behind {@link Conversations}) owns;
 * this class knows no access rules.
 */
final class MessageStore {

    private static final String MESSAGE_COLUMNS = """
            id, conversation_id, parent_id, idx, role, type, tool, content_type, content, created_at""";

    /** The visible page: the boundary is enforced here, in SQL. */
    private static final String SELECT_MESSAGES = "select " + MESSAGE_COLUMNS + """
             from messages
            where conversation_id = ? and idx > ? and idx <= ?
            order by idx
            limit ?""";

    /**
     * What deciding the withheld messages needs: every visible message without its content, except
     * the content of tool calls (their arguments), which a check re-runs.
     */
    private static final String SELECT_SKELETON = """
            select id, conversation_id, parent_id, idx, role, type, tool, content_type,
                   case when type = 'call' and parent_id is not null then content else '' end as content, created_at
              from messages
             where conversation_id = ? and idx >= ? and idx <= ?
             order by idx""";

    /**
     * The turns around a page: the latest root call of router_agent at or before its first index
     * (a turn's start; 0 when there is none), and the first one after its last index (the next
     * turn's start), both through the index of turn roots.
     */
    private static final String TURNS_AROUND = """
            select coalesce((select max(idx) from messages
                              where conversation_id = ? and tool = 'router_agent' and parent_id is null
                                and type = 'call' and idx <= ?), 0),
                   (select min(idx) from messages
                     where conversation_id = ? and tool = 'router_agent' and parent_id is null
                       and type = 'call' and idx > ?)""";

    private static final String SELECT_MESSAGE =
            "select " + MESSAGE_COLUMNS + " from messages where conversation_id = ? and id = ?";

    private static final String SELECT_MESSAGES_BY_IDS =
            "select " + MESSAGE_COLUMNS + " from messages where conversation_id = ? and id = any (?)";

    private static final String LATEST_TURN_END = "select " + MESSAGE_COLUMNS + """
             from messages
            where conversation_id = ? and idx <= ? and type = 'result' and tool = 'router_agent'
              and parent_id is null
            order by idx desc
            limit 1""";

    private static final String LATEST_TURN_ROOT = "select " + MESSAGE_COLUMNS + """
             from messages
            where conversation_id = ? and tool = 'router_agent' and parent_id is null
            order by idx desc
            limit 1""";

    /**
     * An append's messages in one statement, one array per column: the schema checks that their
     * conversation exists once per statement (V4), so a thousand-message append pays for it once.
     */
    private static final String INSERT_MESSAGES = "insert into messages (" + MESSAGE_COLUMNS + """
            )
            select m.id, m.conversation_id, m.parent_id, m.idx, m.role, m.type, m.tool, m.content_type, m.content,
                   m.created_at::timestamptz
              from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::integer[], ?::text[], ?::text[], ?::text[], ?::text[],
                          ?::text[], ?::text[])
                as m(id, conversation_id, parent_id, idx, role, type, tool, content_type, content, created_at)""";

    /**
     * The whole fork of the messages in one statement and one pass, with no join: each new id is
     * derived from the fork's own (random) id and the old id, so a parent is remapped by deriving
     * its new id the same way. A derived id is an RFC 9562 version-8 UUID: the first 48 bits of
     * the fork's id, then 72 bits of md5(fork id, old id) around the version and variant bits.
     * The shared prefix puts one fork's ids side by side in the primary-key index, so a large fork
     * writes a few index pages instead of touching pages all over it. Messages the new owner may
     * not see (computed before, passed as arrays of index and content) are copied as withheld.
     */
    private static final String COPY_MESSAGES = """
            insert into messages (""" + MESSAGE_COLUMNS + """
            )
            select (? || '8' || substr(h.id, 1, 3) || '8' || substr(h.id, 4, 15))::uuid,
                   ?,
                   (? || '8' || substr(h.parent, 1, 3) || '8' || substr(h.parent, 4, 15))::uuid,
                   s.idx, s.role, s.type, s.tool,
                   case when w.idx is null then s.content_type else 'withheld' end,
                   coalesce(w.content, s.content), s.created_at
              from messages s
                   cross join lateral (select md5(?::text || s.id::text) as id,
                                              md5(?::text || s.parent_id::text) as parent) h
                   left join unnest(?::integer[], ?::text[]) as w(idx, content) on w.idx = s.idx
             where s.conversation_id = ? and s.idx <= ?
               and (? or exists (select 1 from conversations c where c.id = ? and """ + ConversationStore.READER_MAY_SEE + """
            ))""";

    List<Message> messages(Connection c, UUID conversationId, int afterIndex, int untilIndex, int limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_MESSAGES)) {
            ps.setObject(1, conversationId);
            ps.setInt(2, afterIndex);
            ps.setInt(3, untilIndex);
            ps.setInt(4, limit);
            ps.setFetchSize(Math.min(limit, 500));
            try (ResultSet rs = ps.executeQuery()) {
                List<Message> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(message(rs));
                }
                return out;
            }
        }
    }

    /** Messages fromIndex..untilIndex without their content but for the arguments of tool calls. */
    List<Message> skeleton(Connection c, UUID conversationId, int fromIndex, int untilIndex) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_SKELETON)) {
            ps.setObject(1, conversationId);
            ps.setInt(2, fromIndex);
            ps.setInt(3, untilIndex);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                List<Message> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(message(rs));
                }
                return out;
            }
        }
    }

    /**
     * The smallest range of whole turns around messages {@code first..last}: from the start of the
     * turn that holds {@code first} to just before the next turn that starts after {@code last}
     * (at most {@code lastVisible}).
     */
    int[] turnsAround(Connection c, UUID conversationId, int first, int last, int lastVisible) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TURNS_AROUND)) {
            ps.setObject(1, conversationId);
            ps.setInt(2, first);
            ps.setObject(3, conversationId);
            ps.setInt(4, last);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int from = rs.getInt(1);
                int next = rs.getInt(2);
                int until = rs.wasNull() ? lastVisible : Math.min(lastVisible, next - 1);
                return new int[] {from, until};
            }
        }
    }

    /** The message {@code id} of the conversation (ids name a message within its conversation). */
    Optional<Message> message(Connection c, UUID conversationId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_MESSAGE)) {
            ps.setObject(1, conversationId);
            ps.setObject(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(message(rs)) : Optional.empty();
            }
        }
    }

    /** Those of {@code ids} that name messages of the conversation. */
    Map<UUID, Message> messagesByIds(Connection c, UUID conversationId, Collection<UUID> ids) throws SQLException {
        Map<UUID, Message> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT_MESSAGES_BY_IDS)) {
            Array array = c.createArrayOf("uuid", ids.toArray());
            ps.setObject(1, conversationId);
            ps.setArray(2, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Message m = message(rs);
                    out.put(m.id(), m);
                }
            }
        }
        return out;
    }

    /** The latest turn end at or below {@code untilIndex}. */
    Optional<Message> latestTurnEnd(Connection c, UUID conversationId, int untilIndex) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LATEST_TURN_END)) {
            ps.setObject(1, conversationId);
            ps.setInt(2, untilIndex);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(message(rs)) : Optional.empty();
            }
        }
    }

    /** The latest root message of router_agent: a turn's root call (open turn) or its end. */
    Optional<Message> latestTurnRoot(Connection c, UUID conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LATEST_TURN_ROOT)) {
            ps.setObject(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(message(rs)) : Optional.empty();
            }
        }
    }

    void insertMessages(Connection c, List<Message> messages) throws SQLException {
        int n = messages.size();
        UUID[] ids = new UUID[n];
        UUID[] conversations = new UUID[n];
        UUID[] parents = new UUID[n];
        Integer[] indexes = new Integer[n];
        String[][] texts = new String[6][n];
        for (int i = 0; i < n; i++) {
            Message m = messages.get(i);
            ids[i] = m.id();
            conversations[i] = m.conversationId();
            parents[i] = m.parentId();
            indexes[i] = m.index();
            texts[0][i] = m.role().wireName();
            texts[1][i] = m.type().wireName();
            texts[2][i] = m.tool();
            texts[3][i] = m.contentType().wireName();
            texts[4][i] = m.content();
            texts[5][i] = m.createdAt().toString(); // ISO-8601 in UTC, read back as timestamptz
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGES)) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setArray(2, c.createArrayOf("uuid", conversations));
            ps.setArray(3, c.createArrayOf("uuid", parents));
            ps.setArray(4, c.createArrayOf("integer", indexes));
            for (int column = 0; column < texts.length; column++) {
                ps.setArray(5 + column, c.createArrayOf("text", texts[column]));
            }
            ps.executeUpdate();
        }
    }

    /**
     * Copies messages 0..untilIndex of {@code source} into {@code target} in one statement, those
     * of {@code withheld} as withheld; returns how many. Unless {@code privileged} (the owner, an
     * admin), the statement itself copies nothing once {@code reader} may no longer see the share
     * at {@code now} (expired, left the audience), so a fork crossing its expiry is whole or empty,
     * never partial.
     */
    int copyMessages(Connection c, UUID source, int untilIndex, UUID target, Withholding withheld, boolean privileged,
            String reader, Instant now) throws SQLException {
        Integer[] indexes = withheld.byIndex().keySet().toArray(new Integer[0]);
        String[] contents = new String[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            contents[i] = withheld.byIndex().get(indexes[i]).content();
        }
        String prefix = target.toString().replace("-", "").substring(0, 12);
        try (PreparedStatement ps = c.prepareStatement(COPY_MESSAGES)) {
            ps.setString(1, prefix);
            ps.setObject(2, target);
            ps.setString(3, prefix);
            ps.setString(4, target.toString());
            ps.setString(5, target.toString());
            ps.setArray(6, c.createArrayOf("integer", indexes));
            ps.setArray(7, c.createArrayOf("text", contents));
            ps.setObject(8, source);
            ps.setInt(9, untilIndex);
            ps.setBoolean(10, privileged);
            ps.setObject(11, source);
            ps.setObject(12, ConversationStore.timestamp(now));
            ps.setString(13, reader);
            return ps.executeUpdate();
        }
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(
                rs.getObject("id", UUID.class),
                rs.getObject("conversation_id", UUID.class),
                rs.getObject("parent_id", UUID.class),
                rs.getInt("idx"),
                MessageRole.parse(rs.getString("role")),
                MessageType.parse(rs.getString("type")),
                rs.getString("tool"),
                ContentType.parse(rs.getString("content_type")),
                rs.getString("content"),
                ConversationStore.instant(rs, "created_at"));
    }
}
