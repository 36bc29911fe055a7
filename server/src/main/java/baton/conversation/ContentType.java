package baton.conversation;

/**
 * How a message's content is to be read. {@link #WITHHELD} is never stored by an append: Baton gives
 * it to a result (or an answer derived from one) that a reader may not see, and a fork copies it.
 */
public enum ContentType {
    TEXT, JSON, ERROR, WITHHELD;

    public String wireName() {
        return WireNames.of(this);
    }

    public static ContentType parse(String text) {
        return WireNames.parse(ContentType.class, "content_type", text);
    }
}
