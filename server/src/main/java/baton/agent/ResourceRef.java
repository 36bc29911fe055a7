package baton.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    private static boolean plain(Object v) {
        return v instanceof String s ? !s.isBlank() : v instanceof Number;
    }

    @Override
    public String toString() {
        return kind + " '" + name + "'";
    }
}
