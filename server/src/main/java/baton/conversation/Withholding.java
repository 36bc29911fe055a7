package baton.conversation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Which messages of a conversation's visible part a reader gets as {@code withheld}, and why.
 *
 * <p>A <em>tool result</em> is a result with a parent; the call that produced it is that parent
 * (an {@code assistant}/{@code call} message holding the arguments). Under {@code none} every
 * tool result is withheld, under {@code checked} those whose call the reader may not obtain, under
 * {@code all} none. A turn (from a root call of {@code router_agent} to its end; messages outside
 * any turn form groups of their own) that has a withheld result also withholds what was derived
 * from it: every message but the user's, the tool calls and the results that are shown.
 */
public final class Withholding {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Withholding NOTHING = new Withholding(Map.of(), List.of());

    /** One withheld message: why, and the tool and resource it is about. */
    public record Withheld(WithheldReason reason, String tool, String resource) {

        /** The content a reader gets instead of the recorded one. */
        public String content() {
            ObjectNode node = JSON.createObjectNode();
            node.put("reason", reason.wireName());
            node.put("tool", tool);
            node.put("resource", resource);
            node.put("sentence", sentence());
            return node.toString();
        }

        /** One sentence for people and models: the tool, the resource and the reason. */
        public String sentence() {
            String call = tool + (resource == null ? "" : " on " + resource);
            return switch (reason) {
                case ACCESS_DENIED -> "The result of " + call + " is withheld: the upstream refuses you "
                        + (resource == null ? "this call" : resource) + ", so you may not see what it gave the owner.";
                case NOT_FOUND -> "The result of " + call + " is withheld: for you the upstream does not find "
                        + (resource == null ? "what this call named" : resource) + ".";
                case UNCHECKED -> "The result of " + call + " is withheld: Baton could not check that you may"
                        + " obtain it (no configured upstream offers it as a read-only tool, or it did not answer"
                        + " in time).";
                case OWNER_CHOICE -> "The result of " + call + " is withheld: the owner shared this conversation"
                        + " without its tool results.";
                case DERIVED -> "This message is withheld: it was derived from a tool result you may not see ("
                        + call + ").";
            };
        }
    }

    private final Map<Integer, Withheld> byIndex;
    private final List<LostAccess> lost;

    private Withholding(Map<Integer, Withheld> byIndex, List<LostAccess> lost) {
        this.byIndex = byIndex;
        this.lost = lost;
    }

    /** Nothing withheld: what owners and admins get, and every reader under {@code all}. */
    public static Withholding nothing() {
        return NOTHING;
    }

    /** The distinct calls that produced the tool results of {@code messages} (a visible part, in index order). */
    public static Set<RecordedCall> calls(List<Message> messages) {
        Map<UUID, Message> byId = byId(messages);
        Set<RecordedCall> calls = new LinkedHashSet<>();
        for (Message m : messages) {
            if (isToolResult(m)) {
                calls.add(callOf(m, byId));
            }
        }
        return calls;
    }

    /**
     * Decides what to withhold from a reader.
     *
     * @param messages the visible part, in index order, with the content of every tool call
     * @param verdicts the entitlement of each call of {@link #calls} (used under {@code checked};
     *     a call missing here counts as unchecked)
     */
    public static Withholding decide(List<Message> messages, ToolResultsPolicy policy,
            Map<RecordedCall, Entitlement> verdicts) {
        if (policy == ToolResultsPolicy.ALL) {
            return NOTHING;
        }
        Map<UUID, Message> byId = byId(messages);
        Map<Integer, Withheld> out = new HashMap<>();
        Map<Integer, Withheld> firstInGroup = new HashMap<>();
        int[] groups = groups(messages);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (!isToolResult(m)) {
                continue;
            }
            RecordedCall call = callOf(m, byId);
            Withheld w;
            if (policy == ToolResultsPolicy.NONE) {
                w = new Withheld(WithheldReason.OWNER_CHOICE, call.tool(), null);
            } else {
                Entitlement e = verdicts.getOrDefault(call, Entitlement.unchecked());
                w = e.isGranted() ? null : new Withheld(e.reason(), call.tool(), e.resource());
            }
            if (w != null) {
                out.put(m.index(), w);
                firstInGroup.putIfAbsent(groups[i], w);
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            Withheld cause = firstInGroup.get(groups[i]);
            if (cause != null && !out.containsKey(m.index()) && isDerived(m)) {
                out.put(m.index(), new Withheld(WithheldReason.DERIVED, cause.tool(), cause.resource()));
            }
        }
        return new Withholding(Map.copyOf(out), List.of());
    }

    /**
     * The distinct tool+resource pairs of {@code messages} whose calls the check found the reader
     * cannot obtain (refused or not found), in the order they first appear.
     */
    public static List<LostAccess> lostAccess(List<Message> messages, Map<RecordedCall, Entitlement> verdicts) {
        Map<UUID, Message> byId = byId(messages);
        Map<String, LostAccess> out = new LinkedHashMap<>();
        for (Message m : messages) {
            if (isToolResult(m)) {
                RecordedCall call = callOf(m, byId);
                Entitlement e = verdicts.get(call);
                if (e != null && e.isLost()) {
                    out.putIfAbsent(call.tool() + '\u0000' + e.resource(), new LostAccess(call.tool(), e.resource(), e.reason()));
                }
            }
        }
        return List.copyOf(out.values());
    }

    public boolean isEmpty() {
        return byIndex.isEmpty();
    }

    /** The withheld messages by index. */
    public Map<Integer, Withheld> byIndex() {
        return byIndex;
    }

    /** {@code messages} with every withheld one replaced: same id, index, role, type, tool, parent, time. */
    public List<Message> apply(Collection<Message> messages) {
        List<Message> out = new ArrayList<>(messages.size());
        Map<Withheld, String> contents = new HashMap<>(); // many messages are withheld for the same cause
        for (Message m : messages) {
            Withheld w = byIndex.get(m.index());
            out.add(w == null ? m : new Message(m.id(), m.conversationId(), m.parentId(), m.index(), m.role(), m.type(),
                    m.tool(), ContentType.WITHHELD, contents.computeIfAbsent(w, Withheld::content), m.createdAt()));
        }
        return out;
    }

    /** A result with a parent: what a tool (or a sub-agent) gave back to a call. */
    static boolean isToolResult(Message m) {
        return m.type() == MessageType.RESULT && m.parentId() != null;
    }

    /**
     * What a turn with a withheld result withholds beyond its results: everything but the user's
     * messages and the tool calls (a result that is shown is not looked at here). A tool call names
     * its tool: a "call" that names none is text like any other (a harness may write one), so it is
     * withheld with the rest.
     */
    private static boolean isDerived(Message m) {
        boolean toolCall = m.type() == MessageType.CALL && m.parentId() != null && m.tool() != null
                && !m.tool().isBlank();
        return m.role() != MessageRole.USER && !toolCall && !isToolResult(m);
    }

    /** The call of a tool result: its parent when that is a call, else an unknowable call (checked: unchecked). */
    private static RecordedCall callOf(Message result, Map<UUID, Message> byId) {
        Message parent = byId.get(result.parentId());
        if (parent != null && parent.type() == MessageType.CALL && parent.parentId() != null) {
            return new RecordedCall(parent.tool(), parent.content());
        }
        // no recorded call holds its arguments: nothing can be re-run (a blank call never checks)
        return new RecordedCall(result.tool(), "");
    }

    /** A group number per message: each turn is one group, and so is each run of messages between turns. */
    private static int[] groups(List<Message> messages) {
        int[] out = new int[messages.size()];
        int group = 0;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            boolean turnStart = m.parentId() == null && m.type() == MessageType.CALL && Message.ROUTER_AGENT.equals(m.tool());
            if (turnStart) {
                group++;
            }
            out[i] = group;
            if (m.isTurnEnd()) {
                group++;
            }
        }
        return out;
    }

    private static Map<UUID, Message> byId(List<Message> messages) {
        Map<UUID, Message> byId = new HashMap<>();
        for (Message m : messages) {
            byId.put(m.id(), m);
        }
        return byId;
    }
}
