package baton.auth;

import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Sessions of people signed in to the web pages. The session id is a 256-bit random secret that
 * only the browser holds (in an HttpOnly cookie); the database keeps its SHA-256 hash, the
 * identity and the expiry, so every instance on the database honours every session and a stolen
 * database does not yield a usable cookie. A session opened with a Baton token ends when the token
 * is revoked. How the person proved who they are (a token today, OAuth later) is not this class's
 * concern: {@link #open} takes an identity.
 */
public final class WebSessions {

    public static final Duration DEFAULT_TTL = Duration.ofHours(12);
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String INSERT = """
            insert into web_sessions (id_hash, user_id, project_id, role, token_id, created_at, expires_at)
            values (?, ?, ?, ?, ?, ?, ?)""";
    private static final String FIND = """
            select s.user_id, s.project_id, s.role, s.expires_at
              from web_sessions s left join tokens t on t.id = s.token_id
             where s.id_hash = ? and s.expires_at > ?
               and (s.token_id is null or (t.revoked_at is null and (t.expires_at is null or t.expires_at > ?)))""";
    private static final String DELETE = "delete from web_sessions where id_hash = ?";
    /** Expired sessions are refused by {@link #FIND} anyway; this only keeps the table small. */
    private static final String DELETE_EXPIRED = """
            delete from web_sessions where id_hash in
              (select id_hash from web_sessions where expires_at < ? limit 100)""";

    /** A signed-in person: who, until when, and the CSRF token of the session's forms. */
    public record Session(Identity identity, Instant expiresAt, String csrfToken) {
    }

    /** A new session with its secret, which goes into the cookie and nowhere else. */
    public record Opened(String secret, Session session) {
        @Override
        public String toString() {
            return "Opened[secret=****, session=" + session + "]";
        }
    }

    private final Database db;
    private final Clock clock;
    private final Duration ttl;

    public WebSessions(Database db, Clock clock, Duration ttl) {
        this.db = Objects.requireNonNull(db, "db must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.ttl = Objects.requireNonNull(ttl, "ttl must not be null");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * Opens a session for {@code identity}.
     *
     * @param tokenId the Baton token the person signed in with (the session ends with it), or null
     */
    public Opened open(Identity identity, UUID tokenId) {
        Objects.requireNonNull(identity, "identity must not be null");
        String secret = randomSecret();
        Instant now = now();
        Instant expires = now.plus(ttl);
        db.write("opening a web session", c -> {
            try (PreparedStatement ps = c.prepareStatement(DELETE_EXPIRED)) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setBytes(1, hash(secret));
                ps.setString(2, identity.userId());
                ps.setString(3, identity.projectId());
                ps.setString(4, identity.role().wireName());
                ps.setObject(5, tokenId);
                ps.setTimestamp(6, Timestamp.from(now));
                ps.setTimestamp(7, Timestamp.from(expires));
                ps.executeUpdate();
            }
            return null;
        });
        return new Opened(secret, new Session(identity, expires, csrfToken(secret)));
    }

    /** The live session a cookie names; empty when malformed, unknown, expired, signed out, or its token revoked or expired. */
    public Optional<Session> find(String secret) {
        if (secret == null || !SHAPE.matcher(secret).matches()) {
            return Optional.empty();
        }
        return db.read("checking a web session", c -> {
            try (PreparedStatement ps = c.prepareStatement(FIND)) {
                ps.setBytes(1, hash(secret));
                ps.setTimestamp(2, Timestamp.from(now()));
                ps.setTimestamp(3, Timestamp.from(now()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Identity identity = new Identity(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)));
                    return Optional.of(new Session(identity, rs.getTimestamp(4).toInstant(), csrfToken(secret)));
                }
            }
        });
    }

    /** Ends a session (sign-out); ending one that is gone changes nothing. */
    public void close(String secret) {
        if (secret == null || !SHAPE.matcher(secret).matches()) {
            return;
        }
        db.write("closing a web session", c -> {
            try (PreparedStatement ps = c.prepareStatement(DELETE)) {
                ps.setBytes(1, hash(secret));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The CSRF token of a session's forms: derived from the session's secret (a page cannot read
     * the HttpOnly cookie, another site cannot read the page), so it needs no storage and dies
     * with the session. A different derivation from the stored hash, so the database does not
     * hold it either.
     */
    static String csrfToken(String secret) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256("baton-csrf\0" + secret));
    }

    /** Whether {@code offered} is the CSRF token of {@code session}, compared in constant time. */
    public static boolean csrfMatches(Session session, String offered) {
        return offered != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
                offered.getBytes(StandardCharsets.UTF_8));
    }

    /** A 256-bit random secret, URL-safe. */
    public static String randomSecret() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static byte[] hash(String secret) {
        return sha256(secret);
    }

    static byte[] sha256(String text) {
        return Tokens.hash(text);
    }
}
