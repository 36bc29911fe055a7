package baton.conversation;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lower-case wire names of the message enums, parsed with a sentence naming the field. */
final class WireNames {

    private WireNames() {
    }

    static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E parse(Class<E> type, String field, String text) {
        for (E value : type.getEnumConstants()) {
            if (of(value).equals(text)) {
                return value;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(WireNames::of)
                .collect(Collectors.joining(", "));
        throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                field + " must be one of " + allowed + ", not " + Quote.of(text) + ".");
    }
}
