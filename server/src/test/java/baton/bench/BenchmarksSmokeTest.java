package baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The in-process benchmarks run end to end on tiny sizes, so they cannot rot between the runs
 * that produce BENCHMARKS.md. Nothing here is timed: the figures are the benchmarks' business.
 */
class BenchmarksSmokeTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void forkComparesWithTheRowByRowCopy() {
        new ForkBenchmark(TestDatabase.database(), out).run(new int[] {100, 400}, 1, true);
        assertThat(printed().lines()).hasSize(3);
        assertThat(printed()).contains("row-by-row ms").containsPattern("(?m)^400 .*x$");
    }

    @Test
    void readTimesTheMiddleAndLastPageOfEachSize() {
        new ReadBenchmark(TestDatabase.database(), out).run(new int[] {400, 800}, 5);
        assertThat(printed()).containsPattern("(?m)^400 +middle .* 1\\.00x$").containsPattern("(?m)^800 +last ");
    }

    @Test
    void httpComparesReadConversationWithPing() {
        new HttpBenchmark(TestDatabase.database(), out).run(2, Duration.ofMillis(200), Duration.ofMillis(500));
        assertThat(printed()).containsPattern("(?m)^ping +\\d+").containsPattern("(?m)^read_conversation +\\d+")
                .containsPattern("throughput is \\d+% of ping's");
    }

    @Test
    void webComparesThePagesFirstByteWithReadConversation() throws Exception {
        new WebBenchmark(TestDatabase.database(), out).run(40, 3);
        assertThat(printed()).containsPattern("(?m)^GET /c/\\{id\\} \\(HTML page\\) +\\d")
                .containsPattern("(?m)^read_conversation \\(MCP, limit 1000\\) +\\d")
                .containsPattern("page / MCP time to first byte \\(p50\\): \\d+\\.\\d\\dx");
    }

    @Test
    void entitlementChecksEachDistinctCallOnceAndNeverAgainWithinTheTtl() throws Exception {
        new EntitlementBenchmark(TestDatabase.database(), out).run(1, 1, 1);
        assertThat(printed()).contains("100 of 1000 messages withheld for each reader")
                .containsPattern("(?m)^first read, policy checked \\(cold\\) +\\d+\\.\\d +25$")
                .containsPattern("(?m)^read again within the TTL, policy checked +\\d+\\.\\d +0$")
                .containsPattern("(?m)^first read: +checked - all = -?\\d+\\.\\d ms, bound 5 x 1 ms = 5 ms: (met|NOT met)$")
                .containsPattern("(?m)^second read: checked / all = \\d+\\.\\d\\d, bound 1\\.50 with 0 upstream calls: (met|NOT met)$");
    }

    @Test
    void activityComparesMembersReadsWithTheOwners() throws Exception {
        new ActivityBenchmark(TestDatabase.database(), out).run(8, 2, 1, 100);
        assertThat(printed()).containsPattern("(?m)^owner +\\d+ .* 1\\.00x$").containsPattern("(?m)^member +\\d+")
                .containsPattern("(?m)^new member each read +\\d+");
    }

    @Test
    void deleteTimesTheDeleteAndTheReadsAroundIt() throws Exception {
        new DeleteBenchmark(TestDatabase.database(), out).run(400, 1, 1);
        assertThat(printed()).containsPattern("(?m)^1 +\\d+\\.\\d ");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] values = {5, 1, 4, 2, 3};
        assertThat(BenchData.median(values)).isEqualTo(3);
        assertThat(BenchData.median(new long[] {1, 2, 3, 4})).isEqualTo(2.5);
        assertThat(BenchData.percentile(values, 99)).isEqualTo(5);
        assertThat(BenchData.percentile(values, 20)).isEqualTo(1);
    }
}
