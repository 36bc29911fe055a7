package baton.reliability;

import baton.e2e.WireMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Messages for append_messages as a client sends them, each with its own id so that a retried
 * append is not duplicated. A turn: the root call of router_agent, a tool call under it, the tool's
 * result under that, and the root result of router_agent that ends the turn.
 */
final class Batches {

    private Batches() {
    }

    static Map<String, Object> message(String role, String type, String tool, String parent, String contentType,
            String content) {
        return WireMessage.of(UUID.randomUUID().toString(), role, type, tool, parent, contentType, content);
    }

    /** A complete turn of four messages; the last one ends it. */
    static List<Map<String, Object>> turn(String text) {
        List<Map<String, Object>> open = open(text);
        List<Map<String, Object>> all = new ArrayList<>(open);
        all.addAll(close((String) open.get(1).get("id"), text));
        return all;
    }

    /** The first half of a turn: its root call and a tool call still waiting for its result. */
    static List<Map<String, Object>> open(String text) {
        Map<String, Object> root = message("user", "call", "router_agent", null, "text", text);
        Map<String, Object> call = message("assistant", "call", "query", (String) root.get("id"), "json",
                "{\"question\":" + text.length() + "}");
        return List.of(root, call);
    }

    /** The second half: the tool's result and the root result that ends the turn. */
    static List<Map<String, Object>> close(String callId, String text) {
        return List.of(
                message("tool", "result", "query", callId, "json", "{\"rows\":" + text.hashCode() + "}"),
                message("assistant", "result", "router_agent", null, "text", "answer to " + text));
    }

    /** {@code turns} complete turns in one batch. */
    static List<Map<String, Object>> turns(int turns, String text) {
        List<Map<String, Object>> all = new ArrayList<>(turns * 4);
        for (int i = 0; i < turns; i++) {
            all.addAll(turn(text + " #" + i));
        }
        return all;
    }

    static boolean isTurnEnd(Map<String, Object> m) {
        return "result".equals(m.get("type")) && "router_agent".equals(m.get("tool")) && m.get("parent_id") == null;
    }

    static List<String> ids(List<Map<String, Object>> batch) {
        return batch.stream().map(m -> (String) m.get("id")).toList();
    }
}
