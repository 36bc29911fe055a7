package baton.conversation;

/**
 * What text Baton can keep as it was given: PostgreSQL text holds no NUL character, and UTF-8 has
 * no encoding for half a surrogate pair (the driver would store '?' instead, so a read or a retried
 * append would not find what was sent). Such text is refused with a sentence, not changed.
 */
final class StorableText {

    private StorableText() {
    }

    /** Why {@code text} cannot be stored as it is ("holds …"), or null when it can. */
    static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "holds a NUL character (U+0000) at position " + i + ", which cannot be stored";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("holds half a surrogate pair (U+%04X) at position %d, which is not valid"
                        + " Unicode and cannot be stored", (int) c, i);
            }
        }
        return null;
    }
}
