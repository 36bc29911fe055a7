package baton.conversation;

/**
 * What a non-owner (not an admin) sees of the tool results of a shared conversation.
 * <ul>
 *   <li>{@code checked}: a result only when the reader could obtain it now (see {@link Entitlements});</li>
 *   <li>{@code all}: every result as recorded;</li>
 *   <li>{@code none}: no result (withheld as the owner's choice).</li>
 * </ul>
 */
public enum ToolResultsPolicy {
    CHECKED, ALL, NONE;

    public String wireName() {
        return WireNames.of(this);
    }

    public static ToolResultsPolicy parse(String text) {
        return WireNames.parse(ToolResultsPolicy.class, "tool_results", text);
    }
}
