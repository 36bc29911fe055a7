package baton.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A resource a tool call names in its arguments, such as {@code dataset 'finance'}: the argument's
 * name and its value.
 */
public record ResourceRef(String kind, String name) {

    /** Argument names that usually identify what a tool touches, most telling first. */
    private static final List<String> TELLING = List.of("dataset", "database", "db", "schema", "table",
            "collection", "bucket", "index", "repository", "repo", "project", "resource", "uri", "url", "path",
            "file", "document", "name", "id");

    public ResourceRef {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(name, "name must not be null");
    }

    /** Every plain (string or number) top-level argument, the most telling first. */
    public static List<ResourceRef> allOf(Map<String, Object> arguments) {
        List<ResourceRef> telling = new ArrayList<>();
        List<ResourceRef> others = new ArrayList<>();
        for (String key : TELLING) {
            Object v = arguments.get(key);
            if (plain(v)) {
                telling.add(new ResourceRef(key, String.valueOf(v)));
            }
        }
        for (var e : arguments.entrySet()) {
            if (!TELLING.contains(e.getKey()) && plain(e.getValue())) {
                others.add(new ResourceRef(e.getKey(), String.valueOf(e.getValue())));
            }
        }
        telling.addAll(others);
        return telling;
    }

    /** The argument that best names what the call touched, or a neutral phrase when none does. */
    public static String describe(Map<String, Object> arguments) {
        List<ResourceRef> all = allOf(arguments);
        return all.isEmpty() ? "the requested resource" : all.get(0).toString();
    }

    /**
     * The argument an error message is about: of the arguments whose value the message names, the
     * one it names first; when it names none, the most telling argument among the names that
     * usually identify a resource. Empty when there is neither.
     */
    public static Optional<ResourceRef> subjectOf(Map<String, Object> arguments, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        ResourceRef first = null;
        int at = Integer.MAX_VALUE;
        for (ResourceRef r : allOf(arguments)) {
            int i = indexOfWord(lower, r.name().toLowerCase(Locale.ROOT));
            if (i >= 0 && i < at) {
                first = r;
                at = i;
            }
        }
        if (first != null) {
            return Optional.of(first);
        }
        return allOf(arguments).stream().filter(r -> TELLING.contains(r.kind())).findFirst();
    }

    /** Where {@code word} stands alone in {@code text} (not inside a longer word), or -1. */
    private static int indexOfWord(String text, String word) {
        for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
            int end = i + word.length();
            boolean startsAlone = i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1));
            boolean endsAlone = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
            if (startsAlone && endsAlone) {
                return i;
            }
        }
        return -1;
    }

    private static boolean plain(Object v) {
        return v instanceof String s ? !s.isBlank() : v instanceof Number;
    }

    @Override
    public String toString() {
        return kind + " '" + name + "'";
    }
}
