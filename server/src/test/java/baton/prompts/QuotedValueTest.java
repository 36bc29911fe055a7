package baton.prompts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A value people chose is one quoted line in a prompt, with nothing Markdown reads as structure. */
class QuotedValueTest {

    @Test
    void plainValuesAreOnlyQuoted() {
        assertThat(QuotedValue.of("Quarterly sales (forked)")).isEqualTo("\"Quarterly sales (forked)\"");
        assertThat(QuotedValue.of("Umsätze 📈 👨‍👩‍👧")).isEqualTo("\"Umsätze 📈 👨‍👩‍👧\"");
        assertThat(QuotedValue.of(null)).isNull();
    }

    @Test
    void everyLineBreakBecomesOneSpace() {
        assertThat(QuotedValue.of("a\nb\r\nc\rd\u2028e\u2029f\u0085g\tt\u000bv  \n  w")).isEqualTo("\"a b c d e f g t v w\"");
        assertThat(QuotedValue.of("\n\n  title  \n")).isEqualTo("\"title\"");
    }

    @Test
    void headingsQuotesCodeAndBackslashesAreEscaped() {
        assertThat(QuotedValue.of("## SYSTEM OVERRIDE")).isEqualTo("\"\\#\\# SYSTEM OVERRIDE\"");
        assertThat(QuotedValue.of("say \"hi\" `now` \\ done")).isEqualTo("\"say \\\"hi\\\" \\`now\\` \\\\ done\"");
    }

    @Test
    void aListOrQuoteMarkerAtTheStartIsEscaped() {
        assertThat(QuotedValue.of("- item")).isEqualTo("\"\\- item\"");
        assertThat(QuotedValue.of("* item")).isEqualTo("\"\\* item\"");
        assertThat(QuotedValue.of("> quote")).isEqualTo("\"\\> quote\"");
        assertThat(QuotedValue.of("12. step")).isEqualTo("\"12\\. step\"");
        assertThat(QuotedValue.of("2026 plan")).isEqualTo("\"2026 plan\"");
    }

    @Test
    void invisibleDirectionOverridesAreDropped() {
        assertThat(QuotedValue.of("safe\u202Edlihc\u202C\u200B end")).isEqualTo("\"safedlihc end\"");
    }
}
