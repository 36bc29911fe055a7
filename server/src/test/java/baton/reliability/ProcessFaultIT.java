package baton.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import baton.Turns;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.NewMessage;
import baton.conversation.Role;
import baton.db.Database;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import baton.e2e.BatonLauncher;
import baton.e2e.McpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Process faults: {@code baton serve --http} (the built jar) is killed with SIGKILL while clients
 * fork a conversation of {@value #SOURCE_TURNS} turns and append to their own; a new process on the
 * same data directory then serves on. Every fork in the database is whole or absent, every
 * acknowledged fork and append is there, and an append that was in flight is there whole or not
 * at all — and sending it again with the same ids makes it whole, never twice. Repeated
 * {@link Budget#kills()} times.
 */
class ProcessFaultIT {

    private static final int SOURCE_TURNS = 1000;
    private static final int FORKERS = 4;
    private static final int APPENDERS = 4;

    private final String project = "kill-" + UUID.randomUUID();
    private final Ledger ledger = new Ledger();
    private final AtomicBoolean killed = new AtomicBoolean();
    private final List<String> unexpected = new ArrayList<>();
    private Tokens tokens;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void afterKillMinus9EveryForkIsWholeOrAbsentAndNoAcknowledgedAppendIsLost() throws Exception {
        Path dataHome = Files.createTempDirectory("baton-kill");
        BatonLauncher.HttpInstance instance = BatonLauncher.http(dataHome, Map.of(), "baton-1", "--rate-limit", "0");
        try (Storage storage = Storage.open(null, dataHome.resolve("baton"), 4)) {
            Database db = storage.database();
            tokens = new Tokens(db, Clock.systemUTC());
            Conversations conversations = new Conversations(db, Clock.systemUTC());
            String source = source(conversations);
            List<Ledger.Tracked> own = new ArrayList<>();
            for (int i = 0; i < APPENDERS; i++) {
                own.add(ledger.track(conversations.create(new Identity("carol-" + i, project, Role.EDITOR),
                        "appends").id().toString(), 0));
            }
            StringBuilder report = new StringBuilder("## Process fault: kill -9 of `baton serve --http` during "
                    + FORKERS + " forkers (source of " + SOURCE_TURNS * 4 + " messages) and " + APPENDERS
                    + " appenders\n\n| round | ran ms | forks acknowledged | forks in flight at the kill"
                    + " | of which committed | messages appended (acknowledged) | appends in flight | of which committed"
                    + " | restart ms |\n|---|---|---|---|---|---|---|---|---|\n");
            Random random = new Random();
            for (int round = 1; round <= Budget.kills(); round++) {
                instance = round(round, instance, dataHome, db, source, own, 1500 + random.nextInt(1500), report);
            }
            Budget.report("process-fault", report.toString());
            assertThat(unexpected).as("unexpected answers before the kill").isEmpty();
        } finally {
            instance.close();
            new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
        }
    }

    /** One round: load, SIGKILL after {@code killAfterMillis}, restart, check. Returns the new process. */
    private BatonLauncher.HttpInstance round(int round, BatonLauncher.HttpInstance victim, Path dataHome,
            Database db, String source, List<Ledger.Tracked> own, int killAfterMillis, StringBuilder report)
            throws Exception {
        killed.set(false);
        List<McpTestClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger forksInFlight = new AtomicInteger();
        int forksBefore = ledger.forks.size();
        int appendsBefore = own.stream().mapToInt(t -> t.ids.size()).sum();
        for (int i = 0; i < FORKERS; i++) {
            McpTestClient client = connect(victim, "bob-" + i);
            clients.add(client);
            threads.add(loop("fork-" + i, () -> fork(client, source, forksInFlight)));
        }
        for (Ledger.Tracked t : own) {
            McpTestClient client = connect(victim, "carol-" + own.indexOf(t));
            clients.add(client);
            resendPending(client, t); // the batch in flight at the last kill: whole or absent, now whole
            threads.add(loop("append-" + own.indexOf(t), () -> append(client, t)));
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(killAfterMillis);

        killed.set(true);
        victim.process().destroyForcibly(); // SIGKILL
        assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        long ran = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(90));
            assertThat(thread.isAlive()).as(thread.getName() + " ended after the kill").isFalse();
        }
        clients.forEach(McpTestClient::close);
        int inFlight = forksInFlight.get(); // forks sent that never got an answer

        long restarting = System.nanoTime();
        BatonLauncher.HttpInstance next = BatonLauncher.http(dataHome, Map.of(), "baton-" + (round + 1),
                "--rate-limit", "0"); // crash consistency under load, not the rate limit, is what is tested
        long restart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarting);

        assertThat(Invariants.check(db, project)).as("invariants after kill %d", round).isEmpty();
        assertThat(Invariants.checkLedger(db, ledger)).as("acknowledged writes after kill %d", round).isEmpty();
        int forksStored = Invariants.forksByOwner(db, project).values().stream().mapToInt(Integer::intValue).sum();
        int forksCommitted = forksStored - ledger.forks.size();
        assertThat(forksCommitted).as("forks stored but never acknowledged").isBetween(0, inFlight);
        int pending = (int) own.stream().filter(t -> !t.pending.isEmpty()).count();
        int pendingCommitted = (int) own.stream().filter(t -> !t.pending.isEmpty()
                && Invariants.present(db, t.pendingIds()) == t.pending.size()).count();
        report.append(String.format("| %d | %d | %d | %d | %d | %d | %d | %d | %d |%n", round, ran,
                ledger.forks.size() - forksBefore, inFlight, forksCommitted,
                own.stream().mapToInt(t -> t.ids.size()).sum() - appendsBefore, pending, pendingCommitted, restart));

        // the new process serves: it reads and forks the source for someone else
        try (McpTestClient dave = connect(next, "dave")) {
            Outcome read = Outcome.call(dave.raw(), "read_conversation", Map.of("conversation_id", source, "limit", 1));
            Outcome fork = Outcome.call(dave.raw(), "fork_conversation", Map.of("conversation_id", source));
            assertThat(read.ok()).as(read.describe()).isTrue();
            assertThat(fork.ok()).as(fork.describe()).isTrue();
            ledger.forks.add(new Ledger.Fork(fork.conversation().get("id").toString(), source,
                    fork.number("copied_messages")));
        }
        return next;
    }

    /** Alice's conversation of {@value #SOURCE_TURNS} complete turns, shared with the project. */
    private String source(Conversations conversations) {
        Identity alice = new Identity("alice", project, Role.EDITOR);
        UUID id = conversations.create(alice, "source").id();
        for (int done = 0; done < SOURCE_TURNS; done += 250) {
            List<NewMessage> batch = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                batch.addAll(Turns.turn("question " + (done + i) + " " + "y".repeat(200)));
            }
            conversations.append(alice, id, batch);
        }
        conversations.share(alice, id, null);
        return id.toString();
    }

    private McpTestClient connect(BatonLauncher.HttpInstance instance, String user) {
        String token = tokens.create(new Identity(user, project, Role.EDITOR), "kill").secret();
        return McpTestClient.overHttp(instance.mcpUrl(), token, p -> { });
    }

    /** Runs {@code step} (one call) until the process is killed; false from a step ends the loop early. */
    private Thread loop(String name, BooleanSupplier step) {
        return new Thread(() -> {
            boolean go = true;
            while (go && !killed.get()) {
                go = step.getAsBoolean();
            }
        }, name);
    }

    private boolean fork(McpTestClient client, String source, AtomicInteger inFlight) {
        inFlight.incrementAndGet();
        Outcome o = Outcome.call(client.raw(), "fork_conversation", Map.of("conversation_id", source));
        if (o.ok()) {
            inFlight.decrementAndGet();
            ledger.forks.add(new Ledger.Fork(o.conversation().get("id").toString(), source,
                    o.number("copied_messages")));
            return true;
        }
        // in flight at the kill: stays counted; anything else before the kill is a failure
        return expectedAfterKill(o);
    }

    private boolean append(McpTestClient client, Ledger.Tracked t) {
        List<Map<String, Object>> batch = Batches.turn("turn " + t.ids.size());
        t.pending(batch);
        Outcome o = Outcome.call(client.raw(), "append_messages", Map.of("conversation_id", t.id, "messages", batch));
        if (o.ok()) {
            t.acknowledge(batch);
            return true;
        }
        return expectedAfterKill(o);
    }

    /** Sends the batch whose answer the kill swallowed again, with the same ids, until acknowledged. */
    private void resendPending(McpTestClient client, Ledger.Tracked t) {
        if (t.pending.isEmpty()) {
            return;
        }
        List<Map<String, Object>> batch = t.pending;
        Outcome o = Outcome.call(client.raw(), "append_messages", Map.of("conversation_id", t.id, "messages", batch));
        assertThat(o.ok()).as("resending the pending batch: " + o.describe()).isTrue();
        assertThat(o.structured().get("message_ids")).isEqualTo(t.pendingIds());
        t.acknowledge(batch);
        ledger.retriedAppends.incrementAndGet();
    }

    private boolean expectedAfterKill(Outcome o) {
        if (!killed.get()) {
            synchronized (unexpected) {
                unexpected.add(o.describe());
            }
        }
        return false;
    }
}
