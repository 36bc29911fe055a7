package baton.conversation;

/**
 * A caller's value inside a sentence meant for that caller: quoted, at most {@value #MAX}
 * characters and on one printable line. Control, format and separator characters and lone
 * surrogates are written as a backslash, u and four hex digits, so a value can neither break the
 * sentence into lines nor make it as long as the value was.
 */
public final class Quote {

    /** The most characters of a value a sentence shows. */
    public static final int MAX = 60;

    private Quote() {
    }

    /** {@code 'value'}, shortened to {@value #MAX} characters and made printable. */
    public static String of(String value) {
        return "'" + printable(value, MAX) + "'";
    }

    /** {@code text} made printable, shortened to {@code max} characters with "..." when longer. */
    public static String printable(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        int shown = 0;
        int i = 0;
        while (i < text.length() && shown < max) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            shown++;
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        }
        return i < text.length() ? out.append("...").toString() : out.toString();
    }
}
