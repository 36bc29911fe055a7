package baton.conversation;

/** Which conversations a listing shows. */
public enum ListScope {
    /** The caller's own conversations in the project. */
    MINE,
    /** Other members' conversations of the project that are shared now. */
    SHARED;

    public static ListScope parse(String text) {
        return text == null ? MINE : WireNames.parse(ListScope.class, "scope", text);
    }
}
