package baton.auth;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Bearer tokens: each names one identity (user, project, role). The secret is shown once, at
 * creation; the database keeps only its SHA-256 hash (a 256-bit random secret needs no slow hash).
 * Every check reads the database, so a token revoked through one instance fails on every other
 * at once.
 */
public final class Tokens {

    /** Every token starts with this, so a leaked one is easy to recognise (and to scan for). */
    public static final String PREFIX = "baton_";
    private static final Pattern SHAPE = Pattern.compile("baton_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String INSERT = """
            insert into tokens (id, secret_hash, user_id, project_id, role, label, created_at, expires_at)
            values (?, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String SELECT_BY_HASH = """
            select user_id, project_id, role, id from tokens
             where secret_hash = ? and revoked_at is null and (expires_at is null or expires_at > ?)""";
    private static final String LIST = """
            select id, user_id, project_id, role, label, created_at, revoked_at, expires_at from tokens
             where (?::text is null or project_id = ?)
             order by created_at desc, id""";
    private static final String REVOKE = """
            update tokens set revoked_at = coalesce(revoked_at, ?) where id = ?""";

    /** A token as listed: never its secret. */
    public record TokenInfo(UUID id, Identity identity, String label, Instant createdAt, Instant revokedAt,
            Instant expiresAt) {
        public boolean revoked() {
            return revokedAt != null;
        }

        /** Whether the token has expired at {@code now} (a token without expiry never does). */
        public boolean expiredAt(Instant now) {
            return expiresAt != null && !expiresAt.isAfter(now);
        }
    }

    /** A new token with its secret, which is shown this once. */
    public record CreatedToken(TokenInfo info, String secret) {
        @Override
        public String toString() {
            return "CreatedToken[info=" + info + ", secret=****]";
        }
    }

    private final Database db;
    private final Clock clock;

    public Tokens(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    public CreatedToken create(Identity identity, String label) {
        return create(identity, label, null);
    }

    /**
     * A new token for {@code identity}; with {@code lifetime} (at least a minute) it is refused, like a
     * revoked one, from creation + lifetime on; without, it lives until revoked.
     */
    public CreatedToken create(Identity identity, String label, Duration lifetime) {
        Objects.requireNonNull(identity, "identity must not be null");
        if (lifetime != null && lifetime.compareTo(TokenLifetime.MIN) < 0) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "A token must live at least 1 minute.");
        }
        String cleanLabel = label == null ? "" : label.strip();
        if (cleanLabel.length() > 200) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "label must be at most 200 characters.");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        UUID id = UUID.randomUUID();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = lifetime == null ? null : now.plus(lifetime);
        db.write("creating a token", c -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setObject(1, id);
                ps.setBytes(2, hash(secret));
                ps.setString(3, identity.userId());
                ps.setString(4, identity.projectId());
                ps.setString(5, identity.role().wireName());
                ps.setString(6, cleanLabel);
                ps.setTimestamp(7, Timestamp.from(now));
                ps.setTimestamp(8, expires == null ? null : Timestamp.from(expires));
                ps.executeUpdate();
            }
            return null;
        });
        return new CreatedToken(new TokenInfo(id, identity, cleanLabel, now, null, expires), secret);
    }

    /** The identity of a valid, unrevoked, unexpired token; empty for anything else (malformed, unknown, revoked, expired). */
    public Optional<Identity> authenticate(String secret) {
        return check(secret).map(Checked::identity);
    }

    /** A valid token's id and identity: what a web session signed in with it remembers (never the secret). */
    public record Checked(UUID tokenId, Identity identity) {
    }

    /** {@link #authenticate}, with the token's id. */
    public Optional<Checked> check(String secret) {
        if (secret == null || !SHAPE.matcher(secret).matches()) {
            return Optional.empty();
        }
        return db.read("checking a token", c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT_BY_HASH)) {
                ps.setBytes(1, hash(secret));
                ps.setTimestamp(2, Timestamp.from(clock.instant()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Checked(rs.getObject(4, UUID.class),
                            new Identity(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)))));
                }
            }
        });
    }

    /** Every token, or those of one project, newest first, revoked ones included. */
    public List<TokenInfo> list(String projectId) {
        return db.read("listing tokens", c -> {
            try (PreparedStatement ps = c.prepareStatement(LIST)) {
                ps.setString(1, projectId);
                ps.setString(2, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<TokenInfo> out = new ArrayList<>();
                    while (rs.next()) {
                        Timestamp revoked = rs.getTimestamp("revoked_at");
                        Timestamp expires = rs.getTimestamp("expires_at");
                        out.add(new TokenInfo(rs.getObject("id", UUID.class),
                                new Identity(rs.getString("user_id"), rs.getString("project_id"),
                                        Role.parse(rs.getString("role"))),
                                rs.getString("label"), rs.getTimestamp("created_at").toInstant(),
                                revoked == null ? null : revoked.toInstant(),
                                expires == null ? null : expires.toInstant()));
                    }
                    return out;
                }
            }
        });
    }

    /** Revokes a token by id; revoking it again changes nothing. */
    public void revoke(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        int updated = db.write("revoking token " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(REVOKE)) {
                ps.setTimestamp(1, Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MICROS)));
                ps.setObject(2, id);
                return ps.executeUpdate();
            }
        });
        if (updated == 0) {
            throw new BatonException(ErrorCode.NOT_FOUND, "Token " + id + " was not found.");
        }
    }

    /** The SHA-256 of a bearer token, base64url: a key to remember it by without keeping it. */
    static String digest(String token) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hash(token));
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
