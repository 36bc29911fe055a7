package baton.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private static final String DRAWN = "[############------------] 2/4 gpt story run 1/2 step 3 (bob send)";

    @Test
    void onATerminalABarIsRedrawnInPlaceAndClearedAtTheEnd() {
        Progress bar = Progress.on(err, true, 4);
        bar.step(null, "story", 1, 2, 1, 3, "step 1 (alice create)");
        bar.runEnded(2, 4);
        bar.step("gpt", "story", 1, 2, 3, 3, "step 3 (bob send)");
        bar.pause();
        bar.pause();
        bar.finish();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\n")
                .contains("\r[------------------------] 0/4 story run 1/2 step 1 (alice create)")
                .contains("\r[############------------] 2/4 gpt story run 1/2 step 3 (bob send)")
                .endsWith(DRAWN + "\r" + " ".repeat(DRAWN.length()) + "\r");
    }

    @Test
    void elsewhereEachStepIsOnePlainLine() {
        Progress lines = Progress.on(err, false, 4);
        lines.step(null, "story", 2, 5, 3, 8, "step 3 (alice send)");
        lines.step("llama", "story", 2, 5, 4, 8, "step 4 (alice share)");
        lines.finish();

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                replay: story run 2/5 step 3 (alice send) (3/8)
                replay: llama story run 2/5 step 4 (alice share) (4/8)
                """);
    }
}
