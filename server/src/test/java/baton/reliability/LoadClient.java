package baton.reliability;

import baton.conversation.Role;
import io.modelcontextprotocol.client.McpSyncClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * One user's client in the load: a loop of random calls of every tool, each with the answers it
 * may give, checking what it reads against what it was told before. An append whose answer says
 * the database is unavailable is sent again with the same message ids until it is acknowledged,
 * as a careful client would; the contract makes that retry harmless.
 */
final class LoadClient implements Runnable {

    private static final int MAX_APPEND_ATTEMPTS = 100;

    private final Load load;
    private final String user;
    private final Role role;
    private final McpSyncClient client;
    private final Random random;
    private final long deadline;
    private final List<Ledger.Tracked> mine = new ArrayList<>();
    private int counter;

    LoadClient(Load load, String user, Role role, McpSyncClient client, Random random, long deadline) {
        this.load = load;
        this.user = user;
        this.role = role;
        this.client = client;
        this.random = random;
        this.deadline = deadline;
    }

    @Override
    public void run() {
        try {
            while (System.nanoTime() < deadline) {
                if (role == Role.VIEWER) {
                    viewerStep();
                } else {
                    step();
                }
            }
        } catch (RuntimeException | AssertionError e) {
            load.violation(user + " stopped: " + e);
        }
    }

    private void step() {
        int r = random.nextInt(100);
        if (mine.isEmpty() || r < 4) {
            create();
        } else if (r < 30) {
            append(pick());
        } else if (r < 40) {
            readOwn(pick());
        } else if (r < 50) {
            readOthers();
        } else if (r < 56) {
            list();
        } else if (r < 64) {
            share(pick());
        } else if (r < 67) {
            unshare(pick());
        } else if (r < 77) {
            fork();
        } else if (r < 80) {
            call("send_message", Map.of("conversation_id", pick().id, "content", "hello"),
                    Expect.refused("needs a model"));
        } else if (r < 85) {
            promptOrResource(pick().id, Expect.ok());
        } else {
            invalid();
        }
    }

    /** A viewer reads and lists; every write is refused for its role. */
    private void viewerStep() {
        int r = random.nextInt(100);
        String other = load.shared.pickNotOwnedBy(user, random);
        if (r < 35 || other == null) {
            list();
            readOthers();
        } else if (r < 45) {
            call("create_conversation", Map.of("title", "viewer"), Expect.refused("has the viewer role"));
        } else if (r < 55) {
            call("fork_conversation", Map.of("conversation_id", other), Expect.refused("has the viewer role"));
        } else if (r < 65) {
            call("append_messages", Map.of("conversation_id", other, "messages", Batches.turn("viewer")),
                    Expect.refused("has the viewer role"));
        } else if (r < 75) {
            promptOrResource(other, Expect.ok().or(Expect.rejected("Access denied")));
        } else {
            invalid();
        }
    }

    private Ledger.Tracked pick() {
        return mine.get(random.nextInt(mine.size()));
    }

    private Outcome call(String tool, Map<String, Object> arguments, Expect expect) {
        return load.record(Outcome.call(client, tool, arguments), expect);
    }

    private void create() {
        Outcome o = call("create_conversation", Map.of("title", user + " #" + counter++), Expect.ok());
        if (o.ok()) {
            adopt(o.conversation().get("id").toString(), 0);
        } else if (o.outcomeUnknown()) {
            load.ledger.unknownOutcomes.incrementAndGet();
        }
    }

    private Ledger.Tracked adopt(String id, int copied) {
        Ledger.Tracked t = load.ledger.track(id, copied);
        mine.add(t);
        load.all.add(id, user);
        return t;
    }

    private void append(Ledger.Tracked c) {
        String text = user + " " + counter++ + " " + "x".repeat(random.nextInt(2000));
        boolean opening = c.openRoot == null && random.nextInt(5) == 0;
        List<Map<String, Object>> batch = c.openRoot != null ? Batches.close(c.openCall, text)
                : opening ? Batches.open(text) : Batches.turn(text);
        if (!appendUntilAcknowledged(c, batch)) {
            return;
        }
        c.openRoot = opening ? (String) batch.get(0).get("id") : null;
        c.openCall = opening ? (String) batch.get(1).get("id") : null;
    }

    private boolean appendUntilAcknowledged(Ledger.Tracked c, List<Map<String, Object>> batch) {
        Map<String, Object> arguments = Map.of("conversation_id", c.id, "messages", batch);
        for (int attempt = 1; ; attempt++) {
            Outcome o = call("append_messages", arguments, Expect.ok());
            if (o.ok()) {
                if (!Batches.ids(batch).equals(o.structured().get("message_ids"))) {
                    load.violation("append to " + c.id + " answered other ids: " + o.structured());
                }
                c.acknowledge(batch);
                return true;
            }
            c.pending(batch);
            if (o.outcomeUnknown()) {
                load.ledger.unknownOutcomes.incrementAndGet();
            }
            if (!o.unavailable() || !load.tolerates(o) || attempt >= MAX_APPEND_ATTEMPTS) {
                mine.remove(c); // its last batch stays pending in the ledger: whole or absent
                return false;
            }
            if (attempt == 1) {
                load.ledger.retriedAppends.incrementAndGet();
            }
            pause(100);
        }
    }

    /** A random page of an own conversation must be exactly what this client appended there. */
    private void readOwn(Ledger.Tracked c) {
        int size = c.size();
        int after = random.nextInt(size + 1) - 1;
        Integer limit = random.nextBoolean() ? null : 1 + random.nextInt(1000);
        Map<String, Object> arguments = limit == null ? Map.of("conversation_id", c.id, "after_index", after)
                : Map.of("conversation_id", c.id, "after_index", after, "limit", limit);
        Outcome o = call("read_conversation", arguments, Expect.ok());
        if (!o.ok()) {
            return;
        }
        List<Map<String, Object>> messages = o.messages();
        int expected = Math.min(limit == null ? 200 : limit, size - after - 1);
        Integer next = o.number("next_after_index");
        Object expectedNext = expected > 0 && after + expected < size - 1 ? after + expected : null;
        boolean exact = messages.size() == expected && Objects.equals(next, expectedNext)
                && Boolean.TRUE.equals(o.conversation().get("is_owner"));
        for (int k = 0; exact && k < messages.size(); k++) {
            int index = after + 1 + k;
            String id = c.idAt(index);
            exact = toInt(messages.get(k).get("index")) == index
                    && (id == null || id.equals(messages.get(k).get("id")));
        }
        if (!exact) {
            load.violation(user + " read " + c.id + " after " + after + " limit " + limit + " (holding " + size
                    + "): got " + messages.size() + " messages, next " + next);
        }
    }

    /**
     * Reads another user's conversation from the start. A member sees exactly up to the boundary
     * of that moment, which is a turn end; an admin sees everything, in order.
     */
    private void readOthers() {
        boolean admin = role == Role.ADMIN;
        String id = (admin ? load.all : load.shared).pickNotOwnedBy(user, random);
        if (id == null) {
            return;
        }
        Outcome o = call("read_conversation", Map.of("conversation_id", id, "limit", 1000),
                admin ? Expect.ok() : Expect.ok().or(Expect.refused("Access denied")));
        if (!o.ok()) {
            return;
        }
        List<Map<String, Object>> messages = o.messages();
        for (int k = 0; k < messages.size(); k++) {
            if (toInt(messages.get(k).get("index")) != k) {
                load.violation(user + " read " + id + ": message " + k + " has index " + messages.get(k).get("index"));
                return;
            }
        }
        if (!admin && o.structured().get("next_after_index") == null) {
            Map<String, Object> last = messages.isEmpty() ? Map.of() : messages.get(messages.size() - 1);
            Object boundary = o.conversation().get("shared_until_message_id");
            if (boundary == null || !boundary.equals(last.get("id")) || !Batches.isTurnEnd(last)) {
                load.violation(user + " read " + id + " up to " + last.get("id") + ", but its boundary is " + boundary);
            }
        }
    }

    private void list() {
        String scope = random.nextBoolean() ? "mine" : "shared";
        Object cursor = null;
        Set<Object> seen = new HashSet<>();
        for (int page = 0; page < 3; page++) {
            Map<String, Object> arguments = new java.util.HashMap<>(Map.of("scope", scope,
                    "limit", 1 + random.nextInt(50)));
            if (cursor != null) {
                arguments.put("cursor", cursor);
            }
            Outcome o = call("list_conversations", arguments, Expect.ok());
            if (!o.ok()) {
                return;
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> conversations = (List<Map<String, Object>>) o.structured().get("conversations");
            for (Map<String, Object> c : conversations) {
                boolean own = user.equals(c.get("owner_id"));
                boolean fits = scope.equals("mine") ? own : !own && c.get("shared_until_message_id") != null;
                if (!fits || !seen.add(c.get("id")) || c.containsKey("messages")) {
                    load.violation(user + " listed " + scope + " and got " + c);
                }
            }
            cursor = o.structured().get("next_cursor");
            if (cursor == null) {
                return;
            }
        }
    }

    private void share(Ledger.Tracked c) {
        if (!c.hasTurnEnd()) {
            call("share_conversation", Map.of("conversation_id", c.id), Expect.refused("has no completed turn"));
            return;
        }
        boolean chosen = !c.turnEnds.isEmpty() && random.nextBoolean();
        String until = chosen ? c.turnEnds.get(random.nextInt(c.turnEnds.size()))
                : c.turnEnds.isEmpty() ? null : c.turnEnds.get(c.turnEnds.size() - 1);
        Outcome o = call("share_conversation", chosen ? Map.of("conversation_id", c.id, "until_message_id", until)
                : Map.of("conversation_id", c.id), Expect.ok());
        if (o.ok()) {
            load.shared.add(c.id, user);
            if (until != null && !until.equals(o.structured().get("shared_until_message_id"))) {
                load.violation(user + " shared " + c.id + " until " + until + ", answered " + o.structured());
            }
        }
    }

    private void unshare(Ledger.Tracked c) {
        Outcome o = call("unshare_conversation", Map.of("conversation_id", c.id), Expect.ok());
        if (o.ok() && !Boolean.FALSE.equals(o.structured().get("shared"))) {
            load.violation(user + " unshared " + c.id + ", answered " + o.structured());
        }
    }

    private void fork() {
        String other = random.nextInt(10) < 6 ? load.shared.pickNotOwnedBy(user, random) : null;
        if (other != null) {
            forked(other, -1, call("fork_conversation", Map.of("conversation_id", other),
                    Expect.ok().or(Expect.refused("Access denied"))));
            return;
        }
        Ledger.Tracked c = pick();
        if (!c.hasTurnEnd()) {
            call("fork_conversation", Map.of("conversation_id", c.id), Expect.refused("has no completed turn"));
            return;
        }
        boolean chosen = !c.turnEnds.isEmpty() && random.nextBoolean();
        String until = chosen ? c.turnEnds.get(random.nextInt(c.turnEnds.size()))
                : c.turnEnds.isEmpty() ? null : c.turnEnds.get(c.turnEnds.size() - 1);
        int copied = until == null ? c.copied : c.copied + c.ids.indexOf(until) + 1;
        forked(c.id, copied, call("fork_conversation", chosen
                ? Map.of("conversation_id", c.id, "until_message_id", until) : Map.of("conversation_id", c.id),
                Expect.ok()));
    }

    /** Takes an acknowledged fork into the ledger, checking what it says it copied. */
    private void forked(String sourceId, int expectedCopies, Outcome o) {
        if (!o.ok()) {
            if (o.outcomeUnknown()) {
                load.ledger.unknownOutcomes.incrementAndGet();
            }
            return;
        }
        Map<String, Object> fork = o.conversation();
        int copied = o.number("copied_messages");
        Object from = fork.get("forked_from") instanceof Map<?, ?> m ? m.get("conversation_id") : null;
        if ((expectedCopies >= 0 && copied != expectedCopies) || copied < 1 || !sourceId.equals(from)
                || !user.equals(fork.get("owner_id")) || fork.get("shared_until_message_id") != null) {
            load.violation(user + " forked " + sourceId + " expecting " + expectedCopies + " copies: " + o.structured());
        }
        String id = fork.get("id").toString();
        adopt(id, copied);
        load.ledger.forks.add(new Ledger.Fork(id, sourceId, copied));
    }

    private void promptOrResource(String id, Expect expect) {
        Outcome o = load.record(random.nextBoolean() ? Outcome.prompt(client, id) : Outcome.resource(client, id),
                expect);
        if (o.ok() && o.text().isBlank()) {
            load.violation(user + " got an empty " + o.tool() + " for " + id);
        }
    }

    /** A call that must be refused, and how. */
    private void invalid() {
        Ledger.Tracked own = mine.isEmpty() ? null : pick();
        String random = UUID.randomUUID().toString();
        switch (this.random.nextInt(12)) {
            case 0 -> call("read_conversation", Map.of("conversation_id", random), Expect.refused("was not found"));
            case 1 -> call("read_conversation", Map.of("conversation_id", load.secrets.otherProjectShared()),
                    Expect.refused("was not found"));
            case 2 -> {
                if (role != Role.ADMIN) { // an admin may read every conversation of the project
                    call("read_conversation", Map.of("conversation_id", load.secrets.sameProjectUnshared()),
                            Expect.refused("Access denied"));
                }
            }
            case 3 -> call("fork_conversation", Map.of("conversation_id", load.secrets.otherProjectShared()),
                    Expect.refused(role == Role.VIEWER ? "has the viewer role" : "was not found"));
            case 4 -> call("list_conversations", Map.of("cursor", "not-a-cursor"), Expect.refused("is not a cursor"));
            case 5 -> call("drop_conversation", Map.of("conversation_id", random),
                    Expect.rejected("Unknown tool 'drop_conversation'"));
            // protocol 2025-11-25 (SEP-1303): a schema violation is a tool result the model sees
            case 6 -> call("read_conversation", Map.of("conversation_id", random, "limit", 0),
                    Expect.refused("Invalid arguments for tool read_conversation"));
            case 7 -> promptOrResource(load.secrets.otherProjectShared(), Expect.rejected("was not found"));
            case 8 -> {
                if (own != null) {
                    call("append_messages", Map.of("conversation_id", own.id, "messages", List.of(Batches.message(
                            "user", "call", "router_agent", random, "text", "orphan"))),
                            Expect.refused("is not a message of conversation"));
                }
            }
            case 9 -> {
                if (own != null) {
                    Map<String, Object> robot = Batches.message("robot", "call", "", null, "text", "beep");
                    call("append_messages", Map.of("conversation_id", own.id, "messages", List.of(robot)),
                            Expect.refused("Invalid arguments for tool append_messages"));
                }
            }
            case 10 -> {
                if (own != null && !own.others.isEmpty()) {
                    call("share_conversation", Map.of("conversation_id", own.id, "until_message_id",
                            own.others.get(0)), Expect.refused("is not a turn end"));
                }
            }
            default -> {
                if (own != null && !own.ids.isEmpty()) {
                    Map<String, Object> reused = Batches.message("user", "call", "router_agent", null, "text",
                            "not what it said before");
                    reused.put("id", own.ids.get(0));
                    call("append_messages", Map.of("conversation_id", own.id, "messages", List.of(reused)),
                            Expect.refused("already used"));
                }
            }
        }
    }

    private static Integer toInt(Object value) {
        return value == null ? null : ((Number) value).intValue();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
