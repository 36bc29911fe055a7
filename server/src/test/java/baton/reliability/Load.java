package baton.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import baton.Turns;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.e2e.McpTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Many real MCP clients, each in a loop mixing every tool with valid and invalid calls for a
 * bounded time; every answer is checked against what the call may answer. One client per user,
 * so each conversation has one writer and its client knows exactly what it must hold.
 * Roles: of every 8 clients one is a viewer and one an admin; the rest are editors.
 */
final class Load {

    /** Text planted where no client of the load may read it; no answer may ever contain it. */
    record Secrets(List<String> texts, String sameProjectUnshared, String otherProjectShared, String otherProject) {

        /** An unshared conversation of another user in the project, and a shared one in another project. */
        static Secrets plant(Conversations conversations, String project) {
            String mine = "SECRET-" + UUID.randomUUID();
            String theirs = "SECRET-" + UUID.randomUUID();
            Identity keeper = new Identity("keeper", project, Role.EDITOR);
            Identity stranger = new Identity("stranger", "other-" + UUID.randomUUID(), Role.EDITOR);
            UUID unshared = conversations.create(keeper, "kept " + mine).id();
            conversations.append(keeper, unshared, Turns.turn(mine));
            UUID shared = conversations.create(stranger, "theirs " + theirs).id();
            conversations.append(stranger, shared, Turns.turn(theirs));
            conversations.share(stranger, shared, null);
            return new Secrets(List.of(mine, theirs), unshared.toString(), shared.toString(), stranger.projectId());
        }
    }

    final Tally tally = new Tally();
    final Ledger ledger = new Ledger();
    /** Conversations their owners have shared at some time (they may be unshared again). */
    final Registry shared = new Registry();
    /** Every conversation of the load. */
    final Registry all = new Registry();
    final Secrets secrets;
    /** The sentences of tolerated failures (ids masked), with how often each came. */
    final ConcurrentMap<String, Integer> unavailableSentences = new ConcurrentHashMap<>();
    private final InProcessBaton baton;
    private final String project;
    private final List<Thread> threads = new ArrayList<>();
    private final List<McpTestClient> clients = new ArrayList<>();
    private volatile long tolerantFrom = Long.MAX_VALUE;
    private volatile long tolerantUntil = Long.MIN_VALUE;
    private long started;

    Load(InProcessBaton baton, String project, Secrets secrets) {
        this.baton = baton;
        this.project = project;
        this.secrets = secrets;
    }

    /** Connects {@code count} clients and lets them run for {@code duration}; returns at once. */
    Load start(int count, Duration duration, long seed) {
        for (int i = 0; i < count; i++) {
            clients.add(baton.connect("user-" + i, project, roleOf(i)));
        }
        started = System.nanoTime();
        long deadline = started + duration.toNanos();
        for (int i = 0; i < count; i++) {
            LoadClient client = new LoadClient(this, "user-" + i, roleOf(i), clients.get(i).raw(),
                    new Random(seed + i), deadline);
            Thread thread = new Thread(client, "load-" + i);
            thread.start();
            threads.add(thread);
        }
        return this;
    }

    private static Role roleOf(int client) {
        return client % 8 == 7 ? Role.VIEWER : client % 8 == 6 ? Role.ADMIN : Role.EDITOR;
    }

    /** Waits for every client to stop (bounded), closes them, and returns how long the load ran. */
    Duration await(Duration limit) throws InterruptedException {
        long giveUp = System.nanoTime() + limit.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(giveUp - System.nanoTime())));
            assertThat(thread.isAlive()).as("%s stopped within %s", thread.getName(), limit).isFalse();
        }
        Duration ran = Duration.ofNanos(System.nanoTime() - started);
        clients.forEach(McpTestClient::close);
        return ran;
    }

    /** From now on, a call may fail because the database is unavailable. */
    void outageBegins() {
        tolerantUntil = Long.MAX_VALUE;
        tolerantFrom = System.nanoTime();
    }

    /** Calls that end more than {@code grace} from now must succeed again. */
    void outageEnds(Duration grace) {
        tolerantUntil = System.nanoTime() + grace.toNanos();
    }

    boolean tolerates(Outcome outcome) {
        return outcome.endNanos() >= tolerantFrom && outcome.startNanos() <= tolerantUntil;
    }

    /** Counts the answer, and notes it when it is not one the call may give or when it leaks. */
    Outcome record(Outcome outcome, Expect expect) {
        List<String> leaks = outcome.leaks(secrets.texts());
        if (!leaks.isEmpty()) {
            tally.unexpected(outcome.describe() + " — leaks " + leaks);
        }
        if (expect.accepts(outcome)) {
            tally.count(outcome, outcome.kind().name().toLowerCase(Locale.ROOT));
        } else if (outcome.unavailable() && tolerates(outcome)) {
            tally.count(outcome, "unavailable");
            unavailableSentences.merge(outcome.kind() + ": " + outcome.serverSentence()
                    .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>"), 1, Integer::sum);
        } else {
            tally.count(outcome, "failed");
            tally.unexpected(outcome.describe() + " — expected " + expect.description());
        }
        return outcome;
    }

    void violation(String what) {
        tally.unexpected(what);
    }

    /** Ids with their owners, for picking one at random. */
    static final class Registry {
        private final ConcurrentMap<String, String> owners = new ConcurrentHashMap<>();
        private final List<String> ids = new ArrayList<>();

        void add(String id, String owner) {
            if (owners.putIfAbsent(id, owner) == null) {
                synchronized (ids) {
                    ids.add(id);
                }
            }
        }

        /** A random id not owned by {@code user}, or null. */
        String pickNotOwnedBy(String user, Random random) {
            synchronized (ids) {
                for (int tries = 0; tries < 8 && !ids.isEmpty(); tries++) {
                    String id = ids.get(random.nextInt(ids.size()));
                    if (!user.equals(owners.get(id))) {
                        return id;
                    }
                }
                return null;
            }
        }
    }
}
