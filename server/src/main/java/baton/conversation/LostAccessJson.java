package baton.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The stored form of a fork's lost access: a JSON array of {@code {"tool", "resource", "reason"}}. */
final class LostAccessJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LostAccessJson() {
    }

    static String write(List<LostAccess> lost) {
        ArrayNode array = JSON.createArrayNode();
        for (LostAccess l : lost) {
            array.addObject().put("tool", l.tool()).put("resource", l.resource()).put("reason", l.reason().wireName());
        }
        return array.toString();
    }

    static List<LostAccess> read(String text) {
        try {
            List<LostAccess> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(text)) {
                JsonNode resource = n.path("resource");
                out.add(new LostAccess(n.path("tool").asText(), resource.isTextual() ? resource.asText() : null,
                        WithheldReason.valueOf(n.path("reason").asText().toUpperCase(Locale.ROOT))));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("the stored lost access of a conversation is not JSON", e);
        }
    }
}
