package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A caller's value in a sentence: short, one line, printable. */
class QuoteTest {

    @Test
    void aShortValueIsQuotedAsItIs() {
        assertThat(Quote.of("héllo wörld 🎉")).isEqualTo("'héllo wörld 🎉'");
    }

    @Test
    void aLongValueIsCutAtSixtyCharacters() {
        assertThat(Quote.of("z".repeat(1024 * 1024))).isEqualTo("'" + "z".repeat(60) + "...'");
    }

    @Test
    void lineBreaksControlAndFormatCharactersAndLoneSurrogatesAreEscaped() {
        assertThat(Quote.of("a\nb\u0000c\u202ed\ud800e\u2028")).isEqualTo(
                "'a\\u000ab\\u0000c\\u202ed\\ud800e\\u2028'");
    }

    @Test
    void nullIsShownAsNull() {
        assertThat(Quote.printable(null, 10)).isEqualTo("null");
    }
}
