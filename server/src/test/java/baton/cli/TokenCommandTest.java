package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.auth.Tokens;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code baton token create|list|revoke} on the test database, as a user runs them. */
class TokenCommandTest {

    private final Map<String, String> env = Map.of("BATON_DB_URL", TestDatabase.jdbcUrl());
    private final String project = "cli-" + UUID.randomUUID();

    record Run(int status, String out, String err) {
    }

    private Run run(String... args) {
        Object[] captured = MainTest.runCaptured(env, args);
        return new Run((Integer) captured[0], (String) captured[1], (String) captured[2]);
    }

    @Test
    void createPrintsTheSecretOnceListNeverShowsItAndRevokeEndsIt() {
        Run created = run("token", "create", "--user", "alice", "--project", project, "--role", "editor",
                "--label", "laptop");
        assertThat(created.status()).isZero();
        String secret = created.out().strip();
        assertThat(secret).startsWith(Tokens.PREFIX).doesNotContain("\n");
        assertThat(created.err()).contains("for alice in " + project + " (editor)", "shown only this once");

        Run listed = run("token", "list", "--project", project);
        assertThat(listed.status()).isZero();
        assertThat(listed.out()).contains("alice", project, "editor", "laptop").doesNotContain(secret.substring(8));
        String id = listed.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];

        Run revoked = run("token", "revoke", id);
        assertThat(revoked.status()).isZero();
        assertThat(revoked.out()).contains("revoked " + id);
        assertThat(new Tokens(TestDatabase.database(), java.time.Clock.systemUTC()).authenticate(secret)).isEmpty();
        assertThat(run("token", "list", "--project", project).out()).doesNotContain("  -  ");
    }

    @Test
    void badInputGetsOneSentenceAndCreatesNothing() {
        Run badRole = run("token", "create", "--user", "alice", "--project", project, "--role", "wizard");
        assertThat(badRole.status()).isEqualTo(2);
        assertThat(badRole.err()).contains("role must be one of viewer, editor or admin, not 'wizard'.");
        assertThat(badRole.out()).isEmpty();

        // regression: a user id with a newline or an escape was stored and printed as given
        Run control = run("token", "create", "--user", "ali\nce", "--project", project, "--role", "editor");
        assertThat(control.status()).isEqualTo(2);
        assertThat(control.err()).contains("--user must not contain control characters (U+000A at position 4).");
        Run escape = run("token", "create", "--user", "alice", "--project", "p\u001b[31m", "--role", "editor");
        assertThat(escape.status()).isEqualTo(2);
        assertThat(escape.err()).contains("--project must not contain control characters");
        Run empty = run("token", "create", "--user", " ", "--project", project, "--role", "editor");
        assertThat(empty.err()).contains("--user must not be empty.");

        Run badId = run("token", "revoke", "not-a-uuid");
        assertThat(badId.status()).isEqualTo(2);
        assertThat(badId.err()).contains("ID must be a token id");

        Run unknown = run("token", "revoke", UUID.randomUUID().toString());
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("was not found.");

        assertThat(run("token", "list", "--project", project).out().lines().count()).isEqualTo(1);
    }

    @Test
    void expiresInSetsAnExpiryListShowsItAndABadValueIsOneSentence() {
        Run created = run("token", "create", "--user", "ivy", "--project", project, "--role", "viewer",
                "--expires-in", "30d");
        assertThat(created.status()).isZero();
        assertThat(created.err()).contains("for ivy in " + project + " (viewer), expires 20");
        Run listed = run("token", "list", "--project", project);
        assertThat(listed.out().lines().findFirst().orElseThrow()).contains("EXPIRES");
        assertThat(listed.out().lines().skip(1).findFirst().orElseThrow()).containsPattern("\\d{4}-\\d\\d-\\d\\dT");

        for (String bad : new String[] {"30", "59s", "2w", "1.5h"}) {
            Run refused = run("token", "create", "--user", "ivy", "--project", project, "--role", "viewer",
                    "--expires-in", bad);
            assertThat(refused.status()).isEqualTo(2);
            assertThat(refused.err().strip()).startsWith("baton: --expires-in must be").doesNotContain("\n", "Exception");
            assertThat(refused.out()).isEmpty();
        }
        assertThat(run("token", "list", "--project", project).out().lines().count()).isEqualTo(2);
    }
}
