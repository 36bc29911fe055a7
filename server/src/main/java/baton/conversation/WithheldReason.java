package baton.conversation;

/** Why a message's recorded content is not shown to a reader. */
public enum WithheldReason {
    /** The upstream refused the reader the call that produced the result. */
    ACCESS_DENIED,
    /** The upstream told the reader that what the call named does not exist. */
    NOT_FOUND,
    /** The call could not be checked (no upstream offers it read-only, or it did not answer in time): fail closed. */
    UNCHECKED,
    /** The owner shared the conversation without its tool results. */
    OWNER_CHOICE,
    /** An answer or assistant text of a turn that has a withheld result. */
    DERIVED;

    public String wireName() {
        return WireNames.of(this);
    }
}
