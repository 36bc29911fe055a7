package baton.web;

import baton.conversation.BatonException;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;

/**
 * The owner's share form, read into the arguments of {@link Conversations#share}: the one place
 * that grows when sharing does. Today it takes the turn end to share up to ({@code until}, empty
 * for the latest). The options other issues add to {@code share_conversation} (the result policy
 * {@code tool_results}, the audience {@code with_users}, {@code expires_in_seconds}, {@code follow})
 * become fields here and in {@code share_form.mustache}, passed through unchanged, so the page
 * obeys exactly the rules of the tool.
 */
record ShareForm(UUID until) {

    static ShareForm read(HttpServletRequest request) {
        String until = request.getParameter("until");
        if (until == null || until.isBlank()) {
            return new ShareForm(null);
        }
        try {
            return new ShareForm(UUID.fromString(until.strip()));
        } catch (IllegalArgumentException e) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "The turn to share up to is not a message id.");
        }
    }

    Conversation submit(Conversations conversations, Identity caller, UUID conversationId) {
        return conversations.share(caller, conversationId, until);
    }
}
