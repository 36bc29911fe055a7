package baton.conversation;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of conversation rows: their share, boundary and reader rule, listings and completions.
 * The SQL of messages is {@link MessageStore}'s. Every method runs on a connection whose
 * transaction its caller (behind {@link Conversations}) owns; this class knows no access rules.
 */
final class ConversationStore {

    private static final String CONVERSATION_COLUMNS = """
            id, project_id, owner_id, title, created_at, updated_at, shared_until_message_id,
            shared_until_index, forked_from_conversation_id, forked_from_message_id,
            forked_from_owner_id, forked_from_index, earlier_owner_id, message_count, shared_with,
            shared_expires_at, shared_follows, shared_tool_results, lost_access""";

    /**
     * Whether a reader who is neither the owner nor an admin may see the shared part now: the
     * conversation is shared, the share has not expired at the caller's instant (first bind, a
     * timestamptz) and the reader (second bind, a user id) is in its audience. Written once, used
     * by every read, list, completion and fork copy, so expiry and audience are checked in the
     * same SQL that reads, with no job moving rows.
     */
    static final String READER_MAY_SEE = " " + """
            (c.shared_until_index is not null
             and (c.shared_expires_at is null or c.shared_expires_at > ?::timestamptz)
             and (c.shared_with is null or ?::text = any (c.shared_with)))""";

    /**
     * The share boundary, as one rule: the latest turn end at or below the pinned boundary, which
     * is the pinned turn end itself, or, for a share that follows, at or below the last message,
     * so a turn in progress is never inside it. Null when not shared. Joined to the row {@code c}.
     */
    private static final String BOUNDARY = " " + """
             left join lateral (
                select m.id as boundary_id, m.idx as boundary_idx, m.created_at as boundary_at
                  from messages m
                 where m.conversation_id = c.id
                   and m.idx <= case when c.shared_follows then c.message_count - 1 else c.shared_until_index end
                   and m.type = 'result' and m.tool = 'router_agent' and m.parent_id is null
                 order by m.idx desc
                 limit 1) b on true""";

    /** A conversation row with its boundary and whether the reader may see the shared part (binds: instant, user). */
    private static final String ROW_COLUMNS = CONVERSATION_COLUMNS
            + ", boundary_id, boundary_idx, boundary_at, " + READER_MAY_SEE + " as reader_may_see";

    private static final String INSERT_CONVERSATION = """
            insert into conversations (id, project_id, owner_id, title, created_at, updated_at,
                forked_from_conversation_id, forked_from_message_id, forked_from_owner_id,
                forked_from_index, earlier_owner_id, message_count, lost_access)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private static final String SELECT_CONVERSATION =
            "select " + ROW_COLUMNS + " from conversations c " + BOUNDARY + " where c.id = ?";

    /**
     * The row is locked by a statement of its own, before {@link #SELECT_CONVERSATION} reads it:
     * a locking read that waited for a concurrent share re-checks only the locked row, not the
     * boundary joined to it, so one statement could pair the new share with the old boundary.
     * Once locked, the row cannot change, and the next statement (a new snapshot) reads it whole.
     */
    private static final String LOCK_FOR_UPDATE = "select 1 from conversations where id = ? for update";

    /** Blocks share, unshare and append while a fork copies, so the boundary it read holds. */
    private static final String LOCK_FOR_SHARE = "select 1 from conversations where id = ? for share";

    private static final String UPDATE_AFTER_APPEND = """
            update conversations set message_count = ?, updated_at = ? where id = ?""";

    private static final String UPDATE_SHARE = """
            update conversations
               set shared_until_message_id = ?, shared_until_index = ?, updated_at = ?,
                   shared_with = ?, shared_expires_at = ?, shared_follows = ?, shared_tool_results = ?
             where id = ?""";

    private static final String LIST_MINE = "select " + ROW_COLUMNS + " from conversations c " + BOUNDARY + """

            where c.project_id = ? and c.owner_id = ? and (c.created_at, c.id) < (?, ?)
            order by c.created_at desc, c.id desc
            limit ?""";

    /** Others' conversations shared now with the caller: not expired, the caller in the audience. */
    private static final String LIST_SHARED = "select " + ROW_COLUMNS + " from conversations c " + BOUNDARY + """

            where c.project_id = ? and c.owner_id <> ? and """ + READER_MAY_SEE + """

              and (c.created_at, c.id) < (?, ?)
            order by c.created_at desc, c.id desc
            limit ?""";

    /**
     * Completions: conversations of the project the caller may see whose id or title starts with
     * the typed text. The prefix is matched with LIKE, its own wildcards escaped.
     */
    private static final String STARTING_WITH = "select " + ROW_COLUMNS + " from conversations c " + BOUNDARY + """

            where c.project_id = ?
              and (c.owner_id = ? or ? or """ + READER_MAY_SEE + """
            )
              and (c.id::text like ? or lower(c.title) like ?)
            order by c.created_at desc, c.id desc
            limit ?""";

    /** How {@link #conversation} locks the row it reads. */
    enum Lock { NONE, SHARE, UPDATE }

    /**
     * A conversation as stored, with its share boundary (null when not shared) and whether
     * {@code reader}, if neither its owner nor an admin, may see the shared part at {@code now}.
     */
    record Row(Conversation stored, UUID boundaryId, Integer boundaryIndex, Instant boundaryAt, boolean readerMaySee) {
    }

    /** The stored conversation, read for nobody in particular (who may hear of a change). */
    Optional<Conversation> conversation(Connection c, UUID id, Lock lock) throws SQLException {
        return row(c, id, lock, "", Instant.EPOCH).map(Row::stored);
    }

    Optional<Row> row(Connection c, UUID id, Lock lock, String reader, Instant now) throws SQLException {
        String lockSql = switch (lock) {
            case NONE -> null;
            case SHARE -> LOCK_FOR_SHARE;
            case UPDATE -> LOCK_FOR_UPDATE;
        };
        if (lockSql != null) {
            try (PreparedStatement ps = c.prepareStatement(lockSql)) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT_CONVERSATION)) {
            ps.setObject(1, timestamp(now));
            ps.setString(2, reader);
            ps.setObject(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    void insertConversation(Connection c, Conversation conv) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_CONVERSATION)) {
            ps.setObject(1, conv.id());
            ps.setString(2, conv.projectId());
            ps.setString(3, conv.ownerId());
            ps.setString(4, conv.title());
            ps.setObject(5, timestamp(conv.createdAt()));
            ps.setObject(6, timestamp(conv.updatedAt()));
            ForkedFrom from = conv.forkedFrom();
            ps.setObject(7, from == null ? null : from.conversationId());
            ps.setObject(8, from == null ? null : from.messageId());
            ps.setString(9, from == null ? null : from.ownerId());
            ps.setObject(10, from == null ? null : from.messageIndex());
            ps.setString(11, conv.earlierOwnerId());
            ps.setInt(12, conv.messageCount());
            ps.setString(13, conv.lostAccess().isEmpty() ? null : LostAccessJson.write(conv.lostAccess()));
            ps.executeUpdate();
        }
    }

    void updateAfterAppend(Connection c, UUID id, int messageCount, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_AFTER_APPEND)) {
            ps.setInt(1, messageCount);
            ps.setObject(2, timestamp(now));
            ps.setObject(3, id);
            ps.executeUpdate();
        }
    }

    /** Sets the share (boundary, terms and tool-results policy), or clears it when {@code boundary} is null. */
    void updateShare(Connection c, UUID id, Message boundary, ShareTerms terms, ToolResultsPolicy policy, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_SHARE)) {
            ps.setObject(1, boundary == null ? null : boundary.id());
            if (boundary == null) {
                ps.setNull(2, java.sql.Types.INTEGER);
            } else {
                ps.setInt(2, boundary.index());
            }
            ps.setObject(3, timestamp(now));
            ShareTerms t = boundary == null ? null : terms;
            ps.setArray(4, t == null || t.withUsers() == null ? null : c.createArrayOf("text", t.withUsers().toArray()));
            ps.setObject(5, t == null || t.expiresAt() == null ? null : timestamp(t.expiresAt()));
            ps.setBoolean(6, t != null && t.follows());
            ps.setString(7, boundary == null || policy == null ? null : policy.wireName());
            ps.setObject(8, id);
            ps.executeUpdate();
        }
    }

    List<Row> list(Connection c, boolean shared, String projectId, String userId, Instant now,
            Instant beforeCreatedAt, UUID beforeId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(shared ? LIST_SHARED : LIST_MINE)) {
            int i = 1;
            ps.setObject(i++, timestamp(now));
            ps.setString(i++, userId);
            ps.setString(i++, projectId);
            ps.setString(i++, userId);
            if (shared) {
                ps.setObject(i++, timestamp(now));
                ps.setString(i++, userId);
            }
            ps.setObject(i++, timestamp(beforeCreatedAt));
            ps.setObject(i++, beforeId);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        }
    }

    List<Row> startingWith(Connection c, String projectId, String userId, boolean admin, Instant now,
            String prefix, int limit) throws SQLException {
        String pattern = prefix.toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        try (PreparedStatement ps = c.prepareStatement(STARTING_WITH)) {
            int i = 1;
            ps.setObject(i++, timestamp(now));
            ps.setString(i++, userId);
            ps.setString(i++, projectId);
            ps.setString(i++, userId);
            ps.setBoolean(i++, admin);
            ps.setObject(i++, timestamp(now));
            ps.setString(i++, userId);
            ps.setString(i++, pattern);
            ps.setString(i++, pattern);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        int boundaryIndex = rs.getInt("boundary_idx");
        Integer boundary = rs.wasNull() ? null : boundaryIndex;
        OffsetDateTime at = rs.getObject("boundary_at", OffsetDateTime.class);
        return new Row(conversation(rs), rs.getObject("boundary_id", UUID.class), boundary,
                at == null ? null : at.toInstant(), rs.getBoolean("reader_may_see"));
    }

    private static Conversation conversation(ResultSet rs) throws SQLException {
        UUID forkedFromId = rs.getObject("forked_from_conversation_id", UUID.class);
        ForkedFrom forkedFrom = forkedFromId == null ? null
                : new ForkedFrom(forkedFromId, rs.getObject("forked_from_message_id", UUID.class),
                        rs.getInt("forked_from_index"), rs.getString("forked_from_owner_id"));
        int sharedIndex = rs.getInt("shared_until_index");
        Integer sharedUntilIndex = rs.wasNull() ? null : sharedIndex;
        ShareTerms share = null;
        if (sharedUntilIndex != null) {
            Array with = rs.getArray("shared_with");
            OffsetDateTime expires = rs.getObject("shared_expires_at", OffsetDateTime.class);
            share = new ShareTerms(with == null ? null : List.of((String[]) with.getArray()),
                    expires == null ? null : expires.toInstant(), rs.getBoolean("shared_follows"), true);
        }
        String policy = rs.getString("shared_tool_results");
        String lostAccess = rs.getString("lost_access");
        return new Conversation(
                rs.getObject("id", UUID.class),
                rs.getString("project_id"),
                rs.getString("owner_id"),
                rs.getString("title"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                rs.getObject("shared_until_message_id", UUID.class),
                sharedUntilIndex,
                forkedFrom,
                rs.getString("earlier_owner_id"),
                rs.getInt("message_count"),
                share,
                policy == null ? null : ToolResultsPolicy.parse(policy),
                lostAccess == null ? List.of() : LostAccessJson.read(lostAccess));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

}