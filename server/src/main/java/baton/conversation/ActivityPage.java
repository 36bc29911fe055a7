package baton.conversation;

import java.util.List;

/** One page of a conversation's activity, newest first; {@code nextCursor} is null on the last page. */
public record ActivityPage(List<ActivityEvent> events, String nextCursor) {

    public ActivityPage {
        events = List.copyOf(events);
    }
}
