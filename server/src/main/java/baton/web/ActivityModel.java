package baton.web;

import baton.conversation.ActivityEvent;
import baton.conversation.ActivityPage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The activity of a conversation as its owner's page shows it: one line per event, newest first
 * (who read, forked, shared, unshared or renamed it, and when), and a link to the next page that
 * carries the page's cursor (opaque, not a secret) as {@code ?activity=}.
 */
final class ActivityModel {

    /** How many events one page shows. */
    static final int PAGE = 20;

    private ActivityModel() {
    }

    static Map<String, Object> of(UUID conversationId, ActivityPage page, boolean paged) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> events = page.events().stream().map(ActivityModel::event).toList();
        out.put("activity_events", events);
        out.put("activity_empty", events.isEmpty());
        out.put("activity_more", page.nextCursor() == null ? null
                : "/c/" + conversationId + "?activity=" + java.net.URLEncoder.encode(page.nextCursor(),
                        java.nio.charset.StandardCharsets.UTF_8) + "#activity");
        out.put("activity_newest", paged ? "/c/" + conversationId + "#activity" : null);
        return out;
    }

    private static Map<String, Object> event(ActivityEvent e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("actor", e.actorId());
        out.put("action", e.action());
        out.put("what", what(e));
        out.put("at", ConversationModel.time(e.at()));
        out.put("activity_until", e.count() > 1 || !e.lastAt().equals(e.at()) ? ConversationModel.time(e.lastAt()) : null);
        return out;
    }

    /** The words after the actor's name: plain text (the page escapes it). */
    static String what(ActivityEvent e) {
        Map<String, Object> d = e.details();
        return switch (e.action()) {
            case ActivityEvent.READ -> e.count() > 1 ? "read it " + e.count() + " times" : "read it";
            case ActivityEvent.FORK -> d.get("copied_messages") instanceof Number n
                    ? "forked it (" + n + " messages copied)" : "forked it";
            case ActivityEvent.SHARE -> d.get("tool_results") instanceof String p
                    ? "shared it (tool results: " + p + ")" : "shared it";
            case ActivityEvent.UNSHARE -> "unshared it";
            case ActivityEvent.RENAME -> d.get("old_title") instanceof String from && d.get("new_title") instanceof String to
                    ? "renamed it from \u201c" + from + "\u201d to \u201c" + to + "\u201d" : "renamed it";
            case ActivityEvent.DELETE -> "deleted it";
            default -> e.action();
        };
    }
}
