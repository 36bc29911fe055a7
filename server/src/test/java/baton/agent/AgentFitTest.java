package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.NewMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentFitTest {

    private static final int MIB = 1024 * 1024;

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String note(int bytes) {
        return String.format(Agent.TRUNCATED, bytes);
    }

    /**
     * Checks a cut text: at most 1 MiB, the note at its end, a prefix of the original before it, and
     * no more than one character given up at the cut. Returns the kept part. (Booleans, so a failure
     * does not print megabytes.)
     */
    private static String assertCut(String original, String fitted) {
        String note = note(utf8(original));
        int bytes = utf8(fitted);
        assertThat(bytes).isLessThanOrEqualTo(NewMessage.MAX_CONTENT_BYTES).isGreaterThan(MIB - 4);
        assertThat(fitted.endsWith(note)).as("ends with the note, but ends with: %s",
                fitted.substring(Math.max(0, fitted.length() - note.length()))).isTrue();
        String kept = fitted.substring(0, fitted.length() - note.length());
        assertThat(original.startsWith(kept)).as("the kept text is a prefix of the original; it ends with: %s",
                kept.substring(Math.max(0, kept.length() - 8))).isTrue();
        assertThat(kept.indexOf('\uFFFD')).as("index of a replacement character").isEqualTo(-1);
        return kept;
    }

    @Test
    void aShortTextIsLeftAsItIs() {
        String text = "department,budget_eur\nSales,900000\n";

        assertThat(Agent.fit(text)).isSameAs(text);
        assertThat(Agent.fit("")).isEmpty();
    }

    @Test
    void aTextOfExactlyOneMebibyteIsLeftAsItIs() {
        String text = "a".repeat(MIB);

        assertThat(Agent.fit(text) == text).as("left as it is").isTrue();
    }

    @Test
    void aTextOfManyCharactersButAtMostOneMebibyteIsLeftAsItIs() {
        String text = "é".repeat(MIB / 2);

        assertThat(utf8(text)).isEqualTo(MIB);
        assertThat(Agent.fit(text) == text).as("left as it is").isTrue();
    }

    @Test
    void oneByteTooManyIsCut() {
        String text = "a".repeat(MIB + 1);

        String fitted = Agent.fit(text);

        assertCut(text, fitted);
        assertThat(utf8(fitted)).isEqualTo(MIB);
    }

    @Test
    void threeMebibytesOfAsciiAreCutToOneMebibyteWithTheNote() {
        String text = "0123456789abcdef".repeat(3 * MIB / 16);

        String fitted = Agent.fit(text);

        assertCut(text, fitted);
        assertThat(fitted.substring(fitted.length() - 100))
                .endsWith("\n[truncated by Baton: the result was 3145728 bytes; a message holds at most 1 MiB]");
        assertThat(utf8(fitted)).isEqualTo(MIB);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void twoMebibytesOfTwoByteCharactersAreCutOnACharacterBoundary(int asciiBefore) {
        String text = "x".repeat(asciiBefore) + "é".repeat(MIB);

        String fitted = Agent.fit(text);

        assertCut(text, fitted);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void threeByteCharactersAreCutOnACharacterBoundary(int asciiBefore) {
        String text = "x".repeat(asciiBefore) + "€".repeat(MIB / 3 + 1000);

        String fitted = Agent.fit(text);

        assertCut(text, fitted);
    }

    /**
     * Regression: when the cut kept 3 of an emoji's 4 bytes, they decoded to one replacement
     * character (U+FFFD) of exactly 3 bytes, which fit kept before the note.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void emojiAreCutOnACharacterBoundaryWhereverTheCutFalls(int asciiBefore) {
        String text = "x".repeat(asciiBefore) + "😀".repeat(MIB / 4 + 1000);

        String fitted = Agent.fit(text);

        String kept = assertCut(text, fitted);
        assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
    }
}
