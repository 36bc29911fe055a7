package baton.conversation;

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
 * The SQL of renaming and deleting conversations and of their lineage (migration V9). No access
 * rules here: {@link Conversations} decides.
 */
final class GovernanceStore {

    /** What is left of a deleted conversation: its place in the lineage. */
    record Tombstone(UUID id, String projectId, String ownerId, ForkedFrom forkedFrom, boolean wasShared) {
    }

    private static final String INSERT_TOMBSTONE = """
            insert into deleted_conversations (id, project_id, owner_id, forked_from_conversation_id,
                forked_from_message_id, forked_from_owner_id, forked_from_index, created_at, was_shared,
                deleted_at, deleted_by)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /** The statement trigger of V4 takes the messages along, in one statement over the conversation's index range. */
    private static final String DELETE_CONVERSATION = "delete from conversations where id = ?";

    private static final String RENAME = "update conversations set title = ?, updated_at = ? where id = ?";

    private static final String SELECT_TOMBSTONE = """
            select id, project_id, owner_id, forked_from_conversation_id, forked_from_message_id,
                   forked_from_owner_id, forked_from_index, was_shared
              from deleted_conversations where id = ?""";

    private static final String FORKS = """
            select id, owner_id, created_at, forked_from_message_id, forked_from_index
              from conversations
             where forked_from_conversation_id = ? and (? or owner_id = ?)
             order by created_at, id
             limit ?""";

    void insertTombstone(Connection c, Conversation deleted, String deletedBy, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_TOMBSTONE)) {
            ForkedFrom from = deleted.forkedFrom();
            ps.setObject(1, deleted.id());
            ps.setString(2, deleted.projectId());
            ps.setString(3, deleted.ownerId());
            ps.setObject(4, from == null ? null : from.conversationId());
            ps.setObject(5, from == null ? null : from.messageId());
            ps.setString(6, from == null ? null : from.ownerId());
            ps.setObject(7, from == null ? null : from.messageIndex());
            ps.setObject(8, timestamp(deleted.createdAt()));
            ps.setBoolean(9, deleted.isShared());
            ps.setObject(10, timestamp(at));
            ps.setString(11, deletedBy);
            ps.executeUpdate();
        }
    }

    void deleteConversation(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_CONVERSATION)) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }

    void rename(Connection c, UUID id, String title, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RENAME)) {
            ps.setString(1, title);
            ps.setObject(2, timestamp(at));
            ps.setObject(3, id);
            ps.executeUpdate();
        }
    }

    Optional<Tombstone> tombstone(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_TOMBSTONE)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                UUID fromId = rs.getObject("forked_from_conversation_id", UUID.class);
                ForkedFrom from = fromId == null ? null : new ForkedFrom(fromId,
                        rs.getObject("forked_from_message_id", UUID.class), rs.getInt("forked_from_index"),
                        rs.getString("forked_from_owner_id"));
                return Optional.of(new Tombstone(rs.getObject("id", UUID.class), rs.getString("project_id"),
                        rs.getString("owner_id"), from, rs.getBoolean("was_shared")));
            }
        }
    }

    /** Forks of {@code source}, oldest first: all of them, or only those {@code ownerId} owns. */
    List<Lineage.Fork> forks(Connection c, UUID source, boolean all, String ownerId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FORKS)) {
            ps.setObject(1, source);
            ps.setBoolean(2, all);
            ps.setString(3, ownerId);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Lineage.Fork> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Lineage.Fork(rs.getObject("id", UUID.class), rs.getString("owner_id"),
                            rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                            rs.getObject("forked_from_message_id", UUID.class), rs.getInt("forked_from_index")));
                }
                return out;
            }
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
