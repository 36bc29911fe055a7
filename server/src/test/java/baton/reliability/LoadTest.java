package baton.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.db.Database;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load: {@link Budget#clients()} real MCP clients over Streamable HTTP on loopback, mixing every
 * tool for {@link Budget#load()}, against Baton in this JVM on a real PostgreSQL. No answer may be
 * other than the call allows, none may leak, and afterwards the database must hold every
 * invariant of the contract and everything that was acknowledged.
 */
class LoadTest {

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void everyToolUnderConcurrentLoadKeepsTheContract() throws Exception {
        Database db = TestDatabase.database();
        String project = "load-" + UUID.randomUUID();
        long seed = Long.getLong("baton.reliability.seed", System.nanoTime());
        try (InProcessBaton baton = InProcessBaton.start(db)) {
            Load.Secrets secrets = Load.Secrets.plant(baton.conversations(), project);
            String otherProject = Invariants.checksum(db, secrets.otherProject());
            Load load = new Load(baton, project, secrets).start(Budget.clients(), Budget.load(), seed);
            Duration ran = load.await(Budget.load().plus(Duration.ofMinutes(2)));

            Budget.report("load", "## Load: " + Budget.clients() + " clients for " + Budget.load().toSeconds()
                    + " s (seed " + seed + ")\n\n" + load.tally.table(ran) + "\n\nThe project then held "
                    + Invariants.counts(db, project) + ".");
            assertThat(load.tally.unexpected()).as("unexpected answers").isEmpty();
            assertThat(load.ledger.retriedAppends).as("appends retried").hasValue(0);
            assertThat(Invariants.check(db, project)).as("invariants").isEmpty();
            assertThat(Invariants.checkLedger(db, load.ledger)).as("acknowledged writes").isEmpty();
            assertThat(Invariants.checksum(db, secrets.otherProject())).isEqualTo(otherProject);
            assertThat(load.tally.total("ok")).isPositive();
        }
    }
}
