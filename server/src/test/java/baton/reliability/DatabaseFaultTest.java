package baton.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Role;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import baton.e2e.McpTestClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Database faults: under the same load as {@link LoadTest}, the embedded PostgreSQL is stopped for
 * {@link Budget#outage()} and started again. While it is down every failing call says in one
 * sentence that the database is unavailable and /healthz answers 503; within 5 s of its return
 * every call succeeds again, by itself; afterwards no fork is partial and no acknowledged append
 * is missing. An append whose answer was lost is sent again with the same ids until acknowledged.
 */
class DatabaseFaultTest {

    /** The contract's bound on recovery, from the database's return to the first successful call. */
    private static final Duration RECOVERY = Duration.ofSeconds(5);

    @TempDir
    Path base;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void serviceSurvivesTheDatabaseStoppingUnderLoad() throws Exception {
        EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(base);
        String url = postgres.ensureRunning().urlWithPassword();
        String project = "fault-" + UUID.randomUUID();
        long seed = Long.getLong("baton.reliability.seed", System.nanoTime());
        // the pool of `baton serve --http`, on the URL Baton was started with
        try (Storage storage = Storage.open(url, base, 16); InProcessBaton baton = InProcessBaton.start(storage.database())) {
            Load.Secrets secrets = Load.Secrets.plant(baton.conversations(), project);
            McpTestClient probe = baton.connect("probe", project, Role.EDITOR);
            Duration duration = Budget.load().plus(Budget.outage());
            Load load = new Load(baton, project, secrets).start(Budget.clients(), duration, seed);
            Thread.sleep(Budget.load().toMillis() / 3);

            load.outageBegins();
            long stopping = System.nanoTime();
            postgres.stop();
            long stopped = System.nanoTime();
            // each waits up to the pool's connection timeout (5 s), so both at once, inside the outage
            CompletableFuture<HttpResponse<String>> health = CompletableFuture.supplyAsync(() -> health(baton));
            Outcome down = Outcome.call(probe.raw(), "list_conversations", Map.of());
            HttpResponse<String> healthDown = health.get(30, TimeUnit.SECONDS);
            Thread.sleep(Math.max(0, Budget.outage().toMillis() - millis(stopped, System.nanoTime())));
            String again = postgres.ensureRunning().urlWithPassword();
            long up = System.nanoTime();
            load.outageEnds(RECOVERY);
            Outcome first = firstSuccess(probe);
            Duration ran = load.await(duration.plus(Duration.ofMinutes(2)));
            HttpResponse<String> healthUp = health(baton);
            probe.close();

            Budget.report("database-fault", "## Database fault: " + Budget.clients() + " clients for "
                    + duration.toSeconds() + " s, PostgreSQL stopped after " + Budget.load().toSeconds() / 3
                    + " s for " + Budget.outage().toSeconds() + " s (seed " + seed + ")\n\n"
                    + "- pg_ctl stop took " + millis(stopping, stopped) + " ms; down (stop returned → start returned) "
                    + millis(stopped, up) + " ms\n"
                    + "- while down: /healthz " + healthDown.statusCode() + " " + healthDown.body()
                    + "; a call: " + down.describe() + "\n"
                    + "- first successful call " + millis(up, first.endNanos()) + " ms after start returned"
                    + " (bound " + RECOVERY.toMillis() + " ms); /healthz then " + healthUp.statusCode() + "\n"
                    + "- appends sent again after a lost answer: " + load.ledger.retriedAppends
                    + "; writes whose outcome was unknown (commit answer lost): " + load.ledger.unknownOutcomes + "\n"
                    + "- failures while down, by sentence:\n" + new TreeMap<>(load.unavailableSentences).entrySet()
                            .stream().map(e -> "  - " + e.getValue() + " × " + e.getKey()).collect(Collectors.joining("\n"))
                    + "\n\n" + load.tally.table(ran) + "\n\nThe project then held " + Invariants.counts(storage.database(),
                            project) + ".");

            assertThat(again).as("restarted on the same port").isEqualTo(url);
            assertThat(healthDown.statusCode()).isEqualTo(503);
            assertThat(healthDown.body()).contains("database is unavailable");
            assertThat(down.unavailable()).as(down.describe()).isTrue();
            assertThat(down.leaks(secrets.texts())).isEmpty();
            assertThat(Duration.ofNanos(first.endNanos() - up)).isLessThanOrEqualTo(RECOVERY);
            assertThat(healthUp.statusCode()).isEqualTo(200);
            assertThat(load.tally.unexpected()).as("unexpected answers").isEmpty();
            assertThat(load.tally.total("unavailable")).as("calls that met the outage").isPositive();
            assertThat(Invariants.check(storage.database(), project)).as("invariants").isEmpty();
            assertThat(Invariants.checkLedger(storage.database(), load.ledger)).as("acknowledged writes").isEmpty();
        } finally {
            postgres.stop();
        }
    }

    /** Calls until a call succeeds (at most 30 s); the successful outcome. */
    private static Outcome firstSuccess(McpTestClient probe) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Outcome o = Outcome.call(probe.raw(), "list_conversations", Map.of("limit", 1));
            if (o.ok() || System.nanoTime() > giveUp) {
                return o;
            }
            Thread.sleep(20);
        }
    }

    private static HttpResponse<String> health(InProcessBaton baton) {
        try {
            return baton.health();
        } catch (Exception e) {
            throw new IllegalStateException("GET /healthz failed", e);
        }
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }
}
