package baton.cli;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** How option classes read a setting: the flag, else the environment variable, else the default. */
final class Settings {

    private Settings() {
    }

    /** The first value that is not blank, stripped; null when every one is blank. */
    static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /** A whole-number variable, or {@code fallback} when it is unset or blank. */
    static long number(Map<String, String> env, String variable, long fallback) {
        String text = first(env.get(variable));
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    variable + " must be a whole number, not '" + env.get(variable) + "'.");
        }
    }

    /** A comma-separated variable's items, blanks dropped. */
    static List<String> list(Map<String, String> env, String variable) {
        String text = first(env.get(variable));
        return text == null ? List.of()
                : Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
