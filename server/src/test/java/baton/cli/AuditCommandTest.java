package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.Turns;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code baton audit export} on the test database, as an operator runs it. */
class AuditCommandTest {

    private final Map<String, String> env = Map.of("BATON_DB_URL", TestDatabase.jdbcUrl());

    record Run(int status, String out, String err) {
    }

    private Run run(String... args) {
        Object[] captured = MainTest.runCaptured(env, args);
        return new Run((Integer) captured[0], (String) captured[1], (String) captured[2]);
    }

    @Test
    void exportPrintsOneJsonObjectPerEventOldestFirst() throws Exception {
        String project = Turns.project();
        Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());
        Identity alice = new Identity("alice", project, Role.EDITOR);
        UUID id = conversations.create(alice, "audited").id();
        conversations.append(alice, id, Turns.turn("q"));
        conversations.share(alice, id, null);
        conversations.read(new Identity("bob", project, Role.EDITOR), id, -1, 10);
        conversations.delete(alice, id);

        Run export = run("audit", "export", "--project", project);
        assertThat(export.status()).isZero();
        List<String> lines = export.out().lines().toList();
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        assertThat(lines.stream().map(l -> {
            try {
                return json.readValue(l, Map.class);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).map(m -> m.get("action") + " " + m.get("actor_id") + " " + m.get("conversation_id")))
                .containsExactly("share alice " + id, "read bob " + id, "delete alice " + id);
        assertThat(export.err()).contains("3 events");

        assertThat(run("audit", "export", "--project", project, "--since", "2999-01-01").out()).isEmpty();
    }

    @Test
    void badInputIsOneSentence() {
        Run bad = run("audit", "export", "--project", "p", "--since", "yesterday");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("baton: --since 'yesterday' is not a time; give an RFC 3339 time"
                + " such as 2026-11-30T12:00:00Z or a date such as 2026-11-30.");
        assertThat(bad.out()).isEmpty();
        Run missing = run("audit", "export");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--project");
    }
}
