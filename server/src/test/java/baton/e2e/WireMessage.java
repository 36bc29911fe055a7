package baton.e2e;

import java.util.LinkedHashMap;
import java.util.Map;

/** A message as a client sends it to append_messages. */
public final class WireMessage {

    private WireMessage() {
    }

    /** The message's fields; {@code id} and {@code parent} are left out when null. */
    public static Map<String, Object> of(String id, String role, String type, String tool, String parent,
            String contentType, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (id != null) {
            m.put("id", id);
        }
        m.put("role", role);
        m.put("type", type);
        m.put("tool", tool);
        if (parent != null) {
            m.put("parent_id", parent);
        }
        m.put("content_type", contentType);
        m.put("content", content);
        return m;
    }
}
