package baton.conversation;

/** What a message is within an exchange. */
public enum MessageType {
    CALL, RESULT, PROGRESS;

    public String wireName() {
        return WireNames.of(this);
    }

    public static MessageType parse(String text) {
        return WireNames.parse(MessageType.class, "type", text);
    }
}
