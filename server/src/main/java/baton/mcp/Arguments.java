package baton.mcp;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Quote;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Typed access to a tool's arguments. The schema has checked types and required fields; the
 * checks left here are about values (a UUID that does not parse, say), and each failure is one
 * sentence naming the argument.
 */
public final class Arguments {

    private final Map<String, Object> values;
    private final String prefix;

    public Arguments(Map<String, Object> values) {
        this(values == null ? Map.of() : values, "");
    }

    private Arguments(Map<String, Object> values, String prefix) {
        this.values = values;
        this.prefix = prefix;
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    public String string(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(name, "must be a string");
        }
        return s;
    }

    public String requiredString(String name) {
        String value = string(name);
        if (value == null) {
            throw invalid(name, "is required");
        }
        return value;
    }

    public Integer integer(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long n = ((Number) value).longValue();
            if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                throw invalid(name, "is out of range");
            }
            return (int) n;
        }
        throw invalid(name, "must be an integer");
    }

    /** An optional whole number that may exceed an int (a number of seconds, say). */
    public Long longInteger(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return ((Number) value).longValue();
        }
        throw invalid(name, "must be an integer");
    }

    /** An optional boolean; absent is false. */
    public boolean flag(String name) {
        Object value = values.get(name);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean b)) {
            throw invalid(name, "must be true or false");
        }
        return b;
    }

    /** An optional list of strings, or null when absent. */
    public List<String> strings(String name) {
        Object value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(name, "must be an array");
        }
        ArrayList<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw invalid(name + "[" + i + "]", "must be a string");
            }
            out.add(s);
        }
        return out;
    }

    /** An optional id; a value that is not a UUID is refused with a sentence naming the argument. */
    public UUID uuid(String name) {
        String text = string(name);
        if (text == null) {
            return null;
        }
        return parseUuid(prefix + name, text);
    }

    public UUID requiredUuid(String name) {
        UUID id = uuid(name);
        if (id == null) {
            throw invalid(name, "is required");
        }
        return id;
    }

    /** A list of objects, each wrapped with a prefix such as {@code messages[3].} for messages. */
    public List<Arguments> objects(String name) {
        Object value = values.get(name);
        if (!(value instanceof List<?> list)) {
            throw invalid(name, "must be an array");
        }
        ArrayList<Arguments> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw invalid(name + "[" + i + "]", "must be an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) map;
            out.add(new Arguments(item, prefix + name + "[" + i + "]."));
        }
        return out;
    }

    public static UUID parseUuid(String name, String text) {
        // UUID.fromString accepts short forms such as "1-2-3-4-5"; only the canonical form is an id.
        if (text.length() != 36) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    name + " " + Quote.of(text) + " is not a valid id (expected a UUID).");
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    name + " " + Quote.of(text) + " is not a valid id (expected a UUID).");
        }
    }

    private BatonException invalid(String name, String problem) {
        return new BatonException(ErrorCode.INVALID_ARGUMENT, prefix + name + " " + problem + ".");
    }
}
