package baton.agent;

import baton.conversation.Entitlement;
import baton.conversation.Identity;
import baton.conversation.WithheldReason;
import baton.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Outcomes of entitlement checks kept in PostgreSQL per (reader identity, upstream, tool,
 * arguments) for a time to live, so every Baton instance on the database shares them and a second
 * read within the TTL costs no upstream call. Only definite outcomes are kept.
 */
final class EntitlementCache {

    /** A cached call: the tool's name as recorded and the hash of its canonical arguments. */
    record Key(String tool, String argumentsHash) {
    }

    /** A definite outcome to keep: on which upstream it was found. */
    record Found(Key key, String upstream, Entitlement entitlement) {
    }

    private static final String LOOK_UP = """
            select tool, arguments_hash, verdict, resource
              from entitlement_checks
             where project_id = ? and user_id = ? and role = ? and checked_at > ?
               and upstream = any (?)
               and (tool, arguments_hash) in (select * from unnest(?::text[], ?::text[]))""";

    private static final String KEEP = """
            insert into entitlement_checks (project_id, user_id, role, upstream, tool, arguments_hash, verdict,
                                            resource, checked_at)
            select ?, ?, ?, k.upstream, k.tool, k.hash, k.verdict, k.resource, ?
              from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as k(upstream, tool, hash, verdict, resource)
            on conflict (project_id, user_id, role, tool, arguments_hash, upstream)
            do update set verdict = excluded.verdict, resource = excluded.resource, checked_at = excluded.checked_at""";

    /** Rows past their TTL are only ignored by {@link #LOOK_UP}; a write removes the reader's. */
    private static final String FORGET_EXPIRED = """
            delete from entitlement_checks
             where project_id = ? and user_id = ? and role = ? and checked_at <= ?""";

    private final Database db;
    private final Duration ttl;
    private final Clock clock;

    EntitlementCache(Database db, Duration ttl, Clock clock) {
        this.db = Objects.requireNonNull(db, "db must not be null");
        this.ttl = Objects.requireNonNull(ttl, "ttl must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * The outcomes kept within the TTL for these calls on any of {@code upstreams}, looked up on
     * {@code c}, in the transaction of the read that needs them.
     */
    Map<Key, Entitlement> lookUp(Connection c, Identity reader, Collection<Key> keys, List<String> upstreams)
            throws SQLException {
        Map<Key, Entitlement> out = new HashMap<>();
        if (keys.isEmpty() || upstreams.isEmpty()) {
            return out;
        }
        String[] tools = keys.stream().map(Key::tool).toArray(String[]::new);
        String[] hashes = keys.stream().map(Key::argumentsHash).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement(LOOK_UP)) {
            ps.setString(1, reader.projectId());
            ps.setString(2, reader.userId());
            ps.setString(3, reader.role().wireName());
            ps.setObject(4, clock.instant().minus(ttl).atOffset(ZoneOffset.UTC));
            ps.setArray(5, c.createArrayOf("text", upstreams.toArray()));
            ps.setArray(6, c.createArrayOf("text", tools));
            ps.setArray(7, c.createArrayOf("text", hashes));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new Key(rs.getString(1), rs.getString(2)), entitlement(rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /** Keeps definite outcomes (granted, refused, not found); others are left to the next read. */
    void keep(Identity reader, List<Found> found) {
        List<Found> definite = found.stream()
                .filter(f -> f.entitlement().isGranted() || f.entitlement().isLost()).toList();
        if (definite.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        db.write("keeping entitlement checks", c -> {
            try (PreparedStatement forget = c.prepareStatement(FORGET_EXPIRED)) {
                forget.setString(1, reader.projectId());
                forget.setString(2, reader.userId());
                forget.setString(3, reader.role().wireName());
                forget.setObject(4, now.minus(ttl).atOffset(ZoneOffset.UTC));
                forget.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(KEEP)) {
                ps.setString(1, reader.projectId());
                ps.setString(2, reader.userId());
                ps.setString(3, reader.role().wireName());
                ps.setObject(4, now.atOffset(ZoneOffset.UTC));
                ps.setArray(5, c.createArrayOf("text", definite.stream().map(Found::upstream).toArray()));
                ps.setArray(6, c.createArrayOf("text", definite.stream().map(f -> f.key().tool()).toArray()));
                ps.setArray(7, c.createArrayOf("text", definite.stream().map(f -> f.key().argumentsHash()).toArray()));
                ps.setArray(8, c.createArrayOf("text", definite.stream().map(f -> verdict(f.entitlement())).toArray()));
                ps.setArray(9, c.createArrayOf("text", definite.stream().map(f -> f.entitlement().resource()).toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static String verdict(Entitlement e) {
        return e.isGranted() ? "granted" : e.reason().wireName();
    }

    private static Entitlement entitlement(String verdict, String resource) {
        return "granted".equals(verdict) ? Entitlement.granted()
                : new Entitlement(WithheldReason.valueOf(verdict.toUpperCase(Locale.ROOT)), resource);
    }
}
