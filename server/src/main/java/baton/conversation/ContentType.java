package baton.conversation;

/** How a message's content is to be read. */
public enum ContentType {
    TEXT, JSON, ERROR;

    public String wireName() {
        return WireNames.of(this);
    }

    public static ContentType parse(String text) {
        return WireNames.parse(ContentType.class, "content_type", text);
    }
}
