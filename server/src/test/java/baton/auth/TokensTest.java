package baton.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.DataSources;
import baton.db.Database;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokensTest {

    private final Tokens tokens = new Tokens(TestDatabase.database(), Clock.systemUTC());
    private final String project = "tokens-" + UUID.randomUUID();

    @Test
    void aNewTokenActsAsItsIdentityAndOnlyItsHashIsStored() throws Exception {
        Identity alice = new Identity("alice", project, Role.EDITOR);
        Tokens.CreatedToken created = tokens.create(alice, "laptop");

        assertThat(created.secret()).startsWith(Tokens.PREFIX).hasSize(Tokens.PREFIX.length() + 43);
        assertThat(tokens.authenticate(created.secret())).contains(alice);
        assertThat(created.toString()).doesNotContain(created.secret().substring(Tokens.PREFIX.length()));
        try (Connection c = TestDatabase.database().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("select * from tokens where id = ?")) {
            ps.setObject(1, created.info().id());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(rs.getObject(i))).doesNotContain(created.secret().substring(8));
                }
                assertThat(rs.getBytes("secret_hash")).isEqualTo(Tokens.hash(created.secret()));
            }
        }
    }

    @Test
    void malformedAndUnknownTokensActAsNobody() {
        assertThat(tokens.authenticate(null)).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate("Bearer something")).isEmpty();
        assertThat(tokens.authenticate(Tokens.PREFIX + "x".repeat(43))).isEmpty();
        String real = tokens.create(new Identity("bob", project, Role.VIEWER), null).secret();
        assertThat(tokens.authenticate(real + "x")).isEmpty();
        assertThat(tokens.authenticate(real.substring(0, real.length() - 1) + (real.endsWith("A") ? "B" : "A"))).isEmpty();
    }

    @Test
    void aTokenRevokedThroughOneInstanceFailsAtOnceOnAnother() {
        Tokens.CreatedToken created = tokens.create(new Identity("carol", project, Role.ADMIN), "ci");
        try (HikariDataSource second = DataSources.pool(TestDatabase.jdbcUrl(), 2)) {
            Tokens otherInstance = new Tokens(new Database(second), Clock.systemUTC());
            assertThat(otherInstance.authenticate(created.secret())).isPresent();

            tokens.revoke(created.info().id());

            assertThat(otherInstance.authenticate(created.secret())).isEmpty();
            assertThat(otherInstance.list(project)).singleElement()
                    .satisfies(t -> assertThat(t.revoked()).isTrue());
        }
    }

    @Test
    void revokingTwiceKeepsTheFirstTimeAndAnUnknownIdIsNotFound() {
        Tokens.CreatedToken created = tokens.create(new Identity("dave", project, Role.EDITOR), null);
        tokens.revoke(created.info().id());
        var first = tokens.list(project).get(0).revokedAt();
        tokens.revoke(created.info().id());
        assertThat(tokens.list(project).get(0).revokedAt()).isEqualTo(first);

        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> tokens.revoke(unknown))
                .isInstanceOfSatisfying(BatonException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessage("Token " + unknown + " was not found.");
    }

    @Test
    void listShowsTheTokensOfAProjectNewestFirst() {
        tokens.create(new Identity("erin", project, Role.VIEWER), "first");
        tokens.create(new Identity("frank", project, Role.EDITOR), "second");
        tokens.create(new Identity("erin", "other-" + project, Role.VIEWER), "elsewhere");

        assertThat(tokens.list(project)).extracting(Tokens.TokenInfo::label).containsExactly("second", "first");
    }

    @Test
    void aTokenPastItsExpiryIsRefusedLikeARevokedOneAndListShowsWhen() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        Tokens timed = new Tokens(TestDatabase.database(), clock);
        Identity gina = new Identity("gina", project, Role.EDITOR);
        Tokens.CreatedToken created = timed.create(gina, "ci", Duration.ofMinutes(15));

        assertThat(created.info().expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:15:00Z"));
        clock.now = Instant.parse("2030-01-01T00:14:59Z");
        assertThat(timed.authenticate(created.secret())).contains(gina);
        clock.now = Instant.parse("2030-01-01T00:15:00Z");
        assertThat(timed.authenticate(created.secret())).isEmpty();
        assertThat(timed.list(project)).singleElement().satisfies(t -> {
            assertThat(t.expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:15:00Z"));
            assertThat(t.expiredAt(clock.now)).isTrue();
            assertThat(t.revoked()).isFalse();
        });
        assertThat(timed.create(gina, null).info().expiresAt()).isNull();
    }

    @Test
    void aLifetimeUnderAMinuteIsRefused() {
        assertThatThrownBy(() -> tokens.create(new Identity("hal", project, Role.EDITOR), null, Duration.ofSeconds(59)))
                .isInstanceOfSatisfying(BatonException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThat(tokens.list(project)).isEmpty();
    }

    @Test
    void lifetimesAreANumberAndOneUnit() {
        assertThat(TokenLifetime.parse("90s", "--expires-in")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TokenLifetime.parse("15m", "--expires-in")).isEqualTo(Duration.ofMinutes(15));
        assertThat(TokenLifetime.parse("12h", "--expires-in")).isEqualTo(Duration.ofHours(12));
        assertThat(TokenLifetime.parse("30d", "--expires-in")).isEqualTo(Duration.ofDays(30));
        for (String bad : new String[] {"", "30", "d", "1.5h", "-5m", "5 m", "5w", "59s", "0m", "99999999d"}) {
            assertThatThrownBy(() -> TokenLifetime.parse(bad, "--expires-in"))
                    .isInstanceOfSatisfying(BatonException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageStartingWith("--expires-in must be");
        }
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
