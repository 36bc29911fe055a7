package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.conversation.ContentType;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import baton.conversation.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The rules the schema keeps by itself, whatever code writes to it: a message belongs to a
 * conversation that exists (checked once per statement, see V4), a conversation takes its
 * messages along when it is deleted, and its id never changes.
 */
class SchemaRulesTest {

    private final Database db = TestDatabase.database();
    private final Conversations conversations = new Conversations(db, Clock.systemUTC());
    private final Identity owner = new Identity("owner", "schema-" + UUID.randomUUID(), Role.EDITOR);

    private UUID conversationWithTwoMessages() {
        UUID id = conversations.create(owner, "schema rules").id();
        conversations.append(owner, id, List.of(
                new NewMessage(null, MessageRole.USER, MessageType.CALL, "router_agent", null, ContentType.TEXT, "hi"),
                new NewMessage(null, MessageRole.ASSISTANT, MessageType.RESULT, "router_agent", null,
                        ContentType.TEXT, "hello")));
        return id;
    }

    private long messagesOf(Connection c, UUID conversation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from messages where conversation_id = ?")) {
            ps.setObject(1, conversation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String insertMessage(UUID conversation, int idx) {
        return "(gen_random_uuid(), '" + conversation + "', null, " + idx
                + ", 'user', 'call', '', 'text', 'x', now())";
    }

    @Test
    void aMessageOfAConversationThatDoesNotExistIsRefusedWithTheWholeStatement() throws Exception {
        UUID existing = conversationWithTwoMessages();
        UUID missing = UUID.randomUUID();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            assertThatThrownBy(() -> st.executeUpdate("insert into messages values "
                    + insertMessage(existing, 2) + ", " + insertMessage(missing, 0)))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"))
                    .hasMessageContaining("a message names a conversation that does not exist");
            assertThat(messagesOf(c, existing)).isEqualTo(2);
            assertThat(messagesOf(c, missing)).isZero();

            assertThatThrownBy(() -> st.executeUpdate(
                    "update messages set conversation_id = '" + missing + "' where conversation_id = '" + existing
                            + "' and idx = 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"));
            assertThat(messagesOf(c, existing)).isEqualTo(2);
        }
    }

    /** V9 checks a message's parent per statement (it was a foreign key, which made deletes quadratic). */
    @Test
    void aParentMustBeAMessageOfTheSameConversationInsertedOrUpdated() throws Exception {
        UUID one = conversationWithTwoMessages();
        UUID other = conversationWithTwoMessages();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            String parentInOther = "(select id from messages where conversation_id = '" + other + "' and idx = 0)";
            assertThatThrownBy(() -> st.executeUpdate("insert into messages select gen_random_uuid(), '" + one
                    + "', " + parentInOther + ", 2, 'tool', 'result', 'q', 'text', 'x', now()"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"))
                    .hasMessageContaining("a message names a parent that is not a message of its conversation");
            assertThatThrownBy(() -> st.executeUpdate("update messages set parent_id = " + parentInOther
                    + " where conversation_id = '" + one + "' and idx = 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23503"));
            // a parent earlier in the same statement counts
            UUID parent = UUID.randomUUID();
            assertThat(st.executeUpdate("insert into messages values ('" + parent + "', '" + one
                    + "', null, 2, 'user', 'call', '', 'text', 'p', now()), (gen_random_uuid(), '" + one + "', '"
                    + parent + "', 3, 'tool', 'result', '', 'text', 'c', now())")).isEqualTo(2);
            assertThat(messagesOf(c, one)).isEqualTo(4);
        }
    }

    @Test
    void deletingAConversationTakesItsMessagesAndItsIdNeverChanges() throws Exception {
        UUID kept = conversationWithTwoMessages();
        UUID deleted = conversationWithTwoMessages();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            assertThatThrownBy(() -> st.executeUpdate(
                    "update conversations set id = gen_random_uuid() where id = '" + kept + "'"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("a conversation's id never changes");

            assertThat(st.executeUpdate("delete from conversations where id = '" + deleted + "'")).isEqualTo(1);
            assertThat(messagesOf(c, deleted)).isZero();
            assertThat(messagesOf(c, kept)).isEqualTo(2);
        }
    }
}
