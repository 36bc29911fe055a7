package baton.web;

import baton.conversation.Conversation;
import baton.conversation.ConversationView;
import baton.conversation.Message;
import baton.conversation.MessageType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the conversation page shows, as the template's model: the caller's view (already cut at
 * their boundary, with withheld results already replaced, by {@code Conversations}) grouped into
 * turns. A turn is the question (the root call of {@code router_agent}), the steps between (each
 * tool call with its result, folded; any other message as a note) and the answer (the root result
 * that ends the turn). Messages are shown as text; nothing here decides what the caller may see.
 */
final class ConversationModel {

    /** The content type another part gives a result the reader may not see (issue 12). */
    static final String WITHHELD = "withheld";
    private static final int OPTION_EXCERPT = 60;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConversationModel() {
    }

    /** The turns of one page of messages, and the turn ends the owner may share up to. */
    static Map<String, Object> of(ConversationView view) {
        Conversation c = view.conversation();
        List<Map<String, Object>> turns = new ArrayList<>();
        List<Map<String, Object>> turnEnds = new ArrayList<>();
        Map<String, Object> turn = null;
        Map<UUID, Map<String, Object>> openCalls = new HashMap<>();
        int number = 0;
        for (Message m : view.messages()) {
            boolean rootCall = m.parentId() == null && m.type() == MessageType.CALL && Message.ROUTER_AGENT.equals(m.tool());
            if (rootCall || turn == null) {
                turn = newTurn(++number);
                turns.add(turn);
                openCalls.clear();
                if (rootCall) {
                    turn.put("question", content(m));
                    continue;
                }
            }
            if (m.isTurnEnd()) {
                turn.put("answer", content(m));
                turn.put("open", false);
                turn.put("end_id", m.id().toString());
                boolean sharedHere = view.isOwner() && m.id().equals(c.sharedUntilMessageId());
                turn.put("shared_mark", sharedHere);
                Object question = turn.get("question");
                turnEnds.add(Map.of("id", m.id().toString(),
                        "label", "Turn " + turn.get("number") + excerpt(question), "selected", sharedHere));
                turn = null; // anything after the end and before the next question starts a turn of its own
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> steps = (List<Map<String, Object>>) turn.get("steps");
            if (m.type() == MessageType.CALL) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("tool", m.tool());
                step.put("arguments", content(m));
                step.put("result", null);
                step.put("index", m.index());
                openCalls.put(m.id(), step);
                steps.add(Map.of("call", step));
            } else if (m.type() == MessageType.RESULT && m.parentId() != null && openCalls.containsKey(m.parentId())) {
                Map<String, Object> step = openCalls.remove(m.parentId());
                step.put("result", content(m));
            } else {
                steps.add(Map.of("note", content(m), "role", m.role().wireName(), "type", m.type().wireName()));
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("turns", turns);
        model.put("turn_ends", turnEnds);
        model.put("has_turns", !turns.isEmpty());
        return model;
    }

    private static Map<String, Object> newTurn(int number) {
        Map<String, Object> turn = new HashMap<>();
        turn.put("number", number);
        turn.put("question", null);
        turn.put("steps", new ArrayList<Map<String, Object>>());
        turn.put("answer", null);
        turn.put("open", true);
        turn.put("end_id", null);
        turn.put("shared_mark", false);
        return turn;
    }

    /** One message's content for the page: text, an error, or a withheld notice with its reason. */
    static Map<String, Object> content(Message m) {
        Map<String, Object> out = new HashMap<>();
        String type = m.contentType().wireName();
        out.put("index", m.index());
        out.put("time", TIME.format(m.createdAt()));
        if (WITHHELD.equals(type)) {
            JsonNode notice = parse(m.content());
            out.put("withheld", true);
            out.put("reason", notice.path("reason").asText("withheld"));
            String sentence = notice.path("sentence").asText("");
            out.put("sentence", sentence.isEmpty() ? "This content is withheld from you." : sentence);
            return out;
        }
        out.put("withheld", false);
        out.put("error", "error".equals(type));
        out.put("json", "json".equals(type));
        out.put("text", m.content());
        return out;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception notJson) {
            return JSON.createObjectNode();
        }
    }

    private static String excerpt(Object question) {
        if (question instanceof Map<?, ?> q && q.get("text") instanceof String text && !text.isBlank()) {
            String line = text.strip().replaceAll("\\s+", " ");
            return ": " + (line.length() <= OPTION_EXCERPT ? line : line.substring(0, OPTION_EXCERPT) + "…");
        }
        return "";
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }
}
