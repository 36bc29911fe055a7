package baton.conversation;

/** Who wrote a message. */
public enum MessageRole {
    SYSTEM, USER, ASSISTANT, TOOL;

    public String wireName() {
        return WireNames.of(this);
    }

    public static MessageRole parse(String text) {
        return WireNames.parse(MessageRole.class, "role", text);
    }
}
