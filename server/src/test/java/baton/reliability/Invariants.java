package baton.reliability;

import baton.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The contract's invariants, checked straight in SQL after a run: what the database holds, not
 * what Baton answers. Each check returns the violations it found, as sentences.
 */
final class Invariants {

    /** Indexes 0..n-1 without gaps, and message_count = n. */
    private static final String GAPS = """
            select c.id from conversations c left join messages m on m.conversation_id = c.id
             where c.project_id = ?
             group by c.id, c.message_count
            having count(m.id) <> c.message_count or coalesce(min(m.idx), 0) <> 0
                or coalesce(max(m.idx), -1) <> c.message_count - 1""";

    /** A parent is an earlier message of the same conversation. */
    private static final String PARENTS = """
            select m.id from messages m join conversations c on c.id = m.conversation_id
              left join messages p on p.id = m.parent_id
             where c.project_id = ? and m.parent_id is not null
               and (p.id is null or p.conversation_id <> m.conversation_id or p.idx >= m.idx)""";

    /** A share boundary is a turn end of the conversation, at the index kept beside it. */
    private static final String BOUNDARIES = """
            select c.id from conversations c left join messages b on b.id = c.shared_until_message_id
             where c.project_id = ? and c.shared_until_message_id is not null
               and (b.id is null or b.conversation_id <> c.id or b.idx <> c.shared_until_index
                    or b.type <> 'result' or b.tool <> 'router_agent' or b.parent_id is not null)""";

    /**
     * A fork is whole: the source's prefix up to a turn end, message by message (role, type, tool,
     * content type, content, time), with new ids and parents remapped to the same positions, in the
     * same project, titled after the source. A message its new owner may not see is copied as
     * withheld: everything kept but its content type and content.
     */
    private static final String FORKS = """
            select f.id from conversations f
              left join conversations s on s.id = f.forked_from_conversation_id
              left join messages b on b.id = f.forked_from_message_id
             where f.project_id = ? and f.forked_from_conversation_id is not null
               and (s.id is null or s.project_id <> f.project_id or f.forked_from_owner_id <> s.owner_id
                    or f.title <> s.title || ' (forked)'
                    or b.id is null or b.conversation_id <> s.id or b.idx <> f.forked_from_index
                    or b.type <> 'result' or b.tool <> 'router_agent' or b.parent_id is not null
                    or f.message_count < f.forked_from_index + 1
                    or (select count(*) from messages fm
                          join messages sm on sm.conversation_id = s.id and sm.idx = fm.idx
                          left join messages fp on fp.id = fm.parent_id
                          left join messages sp on sp.id = sm.parent_id
                         where fm.conversation_id = f.id and fm.idx <= f.forked_from_index
                           and fm.id <> sm.id and fm.role = sm.role and fm.type = sm.type and fm.tool = sm.tool
                           and (fm.content_type = sm.content_type and fm.content = sm.content
                                or fm.content_type = 'withheld' and sm.content_type <> 'withheld')
                           and fm.created_at = sm.created_at and fp.idx is not distinct from sp.idx)
                        <> f.forked_from_index + 1)""";

    private static final String CONVERSATION = """
            select forked_from_conversation_id, forked_from_index, message_count from conversations where id = ?""";

    private static final String APPENDED = "select id from messages where conversation_id = ? and idx >= ? order by idx";

    private static final String PRESENT = "select count(*) from messages where id = any (?)";

    private static final String COUNTS = """
            select count(*), coalesce(sum(message_count), 0), count(forked_from_conversation_id),
                   count(shared_until_message_id)
              from conversations where project_id = ?""";

    private static final String FORKS_BY_OWNER = """
            select owner_id, count(*) from conversations
             where project_id = ? and forked_from_conversation_id is not null group by owner_id""";

    private static final String CHECKSUM = """
            select md5(coalesce(string_agg(concat_ws('|', c.id, c.owner_id, c.title, c.updated_at,
                       c.shared_until_message_id, c.message_count, c.forked_from_conversation_id), ',' order by c.id), ''))
                || md5(coalesce((select string_agg(concat_ws('|', m.id, m.idx, m.parent_id, m.role, m.type, m.tool,
                       m.content_type, md5(m.content)), ',' order by m.id)
                     from messages m join conversations c2 on c2.id = m.conversation_id where c2.project_id = ?), ''))
              from conversations c where c.project_id = ?""";

    private Invariants() {
    }

    /** Every structural invariant of the contract over the project's conversations. */
    static List<String> check(Database db, String project) {
        return db.read("checking invariants", c -> {
            List<String> violations = new ArrayList<>();
            ids(c, GAPS, project).forEach(id -> violations.add("conversation " + id
                    + ": indexes are not 0..message_count-1"));
            ids(c, PARENTS, project).forEach(id -> violations.add("message " + id
                    + ": its parent is not an earlier message of its conversation"));
            ids(c, BOUNDARIES, project).forEach(id -> violations.add("conversation " + id
                    + ": shared up to a message that is not one of its turn ends"));
            ids(c, FORKS, project).forEach(id -> violations.add("fork " + id
                    + ": not a whole copy of its source's prefix up to a turn end"));
            return violations;
        });
    }

    /**
     * Everything clients were told is there: each conversation's appended messages are exactly the
     * acknowledged ones in order (plus its pending batch, whole, or not at all), and each
     * acknowledged fork exists with the messages it said it copied.
     */
    static List<String> checkLedger(Database db, Ledger ledger) {
        return db.read("checking acknowledged writes", c -> {
            List<String> violations = new ArrayList<>();
            for (Ledger.Tracked t : ledger.conversations) {
                Row row = row(c, t.id);
                if (row == null) {
                    violations.add("conversation " + t.id + " was acknowledged but is missing");
                    continue;
                }
                if (t.copied > 0 && row.forkedFromIndex() + 1 != t.copied) {
                    violations.add("fork " + t.id + " copied " + t.copied + " messages but says it ends at index "
                            + row.forkedFromIndex());
                }
                List<String> stored = appended(c, t.id, t.copied);
                List<String> withPending = new ArrayList<>(t.ids);
                withPending.addAll(t.pendingIds());
                if (!stored.equals(t.ids) && !stored.equals(withPending)) {
                    violations.add("conversation " + t.id + " holds " + stored.size() + " appended messages, "
                            + "not the " + t.ids.size() + " acknowledged (" + t.pending.size() + " pending) in order");
                }
            }
            for (Ledger.Fork f : ledger.forks) {
                Row row = row(c, f.forkId());
                if (row == null || !f.sourceId().equals(row.forkedFrom()) || row.forkedFromIndex() + 1 != f.copied()) {
                    violations.add("fork " + f.forkId() + " of " + f.sourceId() + " (" + f.copied()
                            + " messages) was acknowledged but is " + (row == null ? "missing" : "different"));
                }
            }
            return violations;
        });
    }

    record Counts(int conversations, long messages, int forks, int shared) {
        @Override
        public String toString() {
            return conversations + " conversations (" + forks + " forks, " + shared + " shared), " + messages
                    + " messages";
        }
    }

    static Counts counts(Database db, String project) {
        return db.read("counting", c -> {
            try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
                ps.setString(1, project);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Counts(rs.getInt(1), rs.getLong(2), rs.getInt(3), rs.getInt(4));
                }
            }
        });
    }

    /** How many of these message ids are stored. */
    static int present(Database db, List<String> ids) {
        return db.read("looking for messages", c -> {
            try (PreparedStatement ps = c.prepareStatement(PRESENT)) {
                ps.setArray(1, c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /** Forks in the project by owner. */
    static Map<String, Integer> forksByOwner(Database db, String project) {
        return db.read("counting forks", c -> {
            Map<String, Integer> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(FORKS_BY_OWNER)) {
                ps.setString(1, project);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return out;
        });
    }

    /** A digest of everything the project holds: equal digests, unchanged project. */
    static String checksum(Database db, String project) {
        return db.read("summing a project", c -> {
            try (PreparedStatement ps = c.prepareStatement(CHECKSUM)) {
                ps.setString(1, project);
                ps.setString(2, project);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }

    private record Row(String forkedFrom, int forkedFromIndex, int messageCount) {
    }

    private static Row row(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CONVERSATION)) {
            ps.setObject(1, UUID.fromString(id));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Object from = rs.getObject(1);
                return new Row(from == null ? null : from.toString(), rs.getInt(2), rs.getInt(3));
            }
        }
    }

    private static List<String> appended(Connection c, String id, int from) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(APPENDED)) {
            ps.setObject(1, UUID.fromString(id));
            ps.setInt(2, from);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    private static List<String> ids(Connection c, String sql, String project) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, project);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }
}
