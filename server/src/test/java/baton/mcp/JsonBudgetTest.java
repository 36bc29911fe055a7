package baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBudgetTest {

    private final JsonBudget budget = new JsonBudget(100, 8);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMessageWithinTheBudgetPasses() {
        byte[] ok = utf8("{\"a\":[" + "1,".repeat(97) + "1]}"); // object + array + 98 numbers = 100 values
        assertThat(budget.check(ok, 0, ok.length, "the body")).isNull();
    }

    @Test
    void oneValueOverTheBudgetIsRefusedNamingTheLimit() {
        byte[] over = utf8("{\"a\":[" + "1,".repeat(98) + "1]}");
        assertThat(budget.check(over, 0, over.length, "the body"))
                .isEqualTo("The body holds more than 100 JSON values; this server reads at most 100 per message.");
    }

    @Test
    void valuesAreCountedAcrossThePiecesTheyArriveIn() {
        byte[] over = utf8("[" + "\"x\",".repeat(150) + "\"x\"]");
        JsonBudget.Scan scan = budget.scan("the body");
        String problem = null;
        for (int at = 0; at < over.length && problem == null; at += 7) {
            problem = scan.feed(over, at, Math.min(7, over.length - at));
        }
        assertThat(problem).startsWith("The body holds more than 100 JSON values");
        assertThat(scan.values()).isEqualTo(101);
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        byte[] deep = utf8("[".repeat(9) + "]".repeat(9));
        assertThat(budget.check(deep, 0, deep.length, "the line"))
                .isEqualTo("The line nests JSON deeper than 8 levels; this server reads at most 8.");
        byte[] fine = utf8("[".repeat(8) + "]".repeat(8));
        assertThat(budget.check(fine, 0, fine.length, "the line")).isNull();
    }

    @Test
    void malformedJsonIsLeftToTheRealReader() {
        byte[] broken = utf8("{\"a\": [1, 2,, 3]");
        assertThat(budget.check(broken, 0, broken.length, "the body")).isNull();
    }
}
