package baton.web;

import baton.conversation.BatonException;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.ShareRequest;
import baton.conversation.ShareTerms;
import baton.conversation.ToolResultsPolicy;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The owner's share form, read into a {@link ShareRequest} for {@link Conversations#shareOn}: the
 * one place that grows when sharing does. It takes the turn end to share up to ({@code until},
 * empty for the latest), the audience ({@code audience}: user ids separated by commas or spaces,
 * empty for the whole project), the expiry ({@code expiry}: empty for none, a number of seconds,
 * or {@code seconds} with the number in {@code expiry_seconds}), {@code follow} and the tool-results
 * policy ({@code tool_results}: {@code checked}, {@code all} or {@code none}; empty for the
 * server's default). The request
 * checks them exactly as {@code share_conversation} does, so the page obeys the rules of the tool
 * and shows the tool's sentence when they are broken.
 */
record ShareForm(UUID until, List<String> withUsers, Long expiresInSeconds, boolean follow,
        ToolResultsPolicy toolResults) {

    /** The expiries the form offers, in seconds, with their labels. */
    static final Map<Long, String> EXPIRIES = presets();

    /** The tool-results policies the form offers, with the one line that explains each. */
    static final Map<ToolResultsPolicy, String> POLICIES = policies();

    static ShareForm read(HttpServletRequest request) {
        return new ShareForm(until(request.getParameter("until")), audience(request.getParameter("audience")),
                expiry(request.getParameter("expiry"), request.getParameter("expiry_seconds")),
                request.getParameter("follow") != null, toolResults(request.getParameter("tool_results")));
    }

    /** Empty is the server's default; anything else must be a policy's name (the tool's sentence otherwise). */
    private static ToolResultsPolicy toolResults(String policy) {
        if (policy == null || policy.isBlank()) {
            return null;
        }
        return ToolResultsPolicy.parse(policy.strip());
    }

    private static UUID until(String until) {
        if (until == null || until.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(until.strip());
        } catch (IllegalArgumentException e) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "The turn to share up to is not a message id.");
        }
    }

    /** User ids separated by commas or white space; none at all is the whole project (null). */
    private static List<String> audience(String audience) {
        if (audience == null) {
            return null;
        }
        List<String> ids = new ArrayList<>();
        // commas (or lines) separate ids: a user id may hold a space, as identities may
        for (String id : audience.split("[,\\n]+")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        return ids.isEmpty() ? null : ids;
    }

    private static Long expiry(String expiry, String seconds) {
        String value = expiry == null ? "" : expiry.strip();
        if (value.equals("seconds")) {
            value = seconds == null ? "" : seconds.strip();
            if (value.isEmpty()) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                        "Give the number of seconds after which the share expires.");
            }
        }
        if (value.isEmpty()) {
            return null;
        }
        if (!value.matches("\\d{1,12}")) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "The expiry must be a whole number of seconds, not \"" + abbreviate(value) + "\".");
        }
        return Long.parseLong(value);
    }

    Conversation submit(Conversations conversations, Identity caller, UUID conversationId) {
        return conversations.shareOn(caller, conversationId,
                new ShareRequest(until, withUsers, expiresInSeconds, follow, toolResults));
    }

    /**
     * What the form shows of a conversation's share: the current terms (audience, expiry, follow,
     * tool results) for the owner to check, and the fields' starting values (today's audience,
     * follow and policy, {@code checked} when not shared; the expiry starts at none, since a
     * re-share sets every term anew).
     */
    static Map<String, Object> model(Conversation c) {
        Map<String, Object> out = new LinkedHashMap<>();
        ShareTerms terms = c.share();
        List<Map<String, Object>> expiries = new ArrayList<>();
        EXPIRIES.forEach((s, label) -> expiries.add(Map.of("value", String.valueOf(s), "label", label)));
        out.put("expiries", expiries);
        out.put("min_expiry", ShareRequest.MIN_EXPIRY_SECONDS);
        out.put("max_expiry", ShareRequest.MAX_EXPIRY_SECONDS);
        ToolResultsPolicy current = c.sharedToolResults();
        ToolResultsPolicy selected = current == null ? ToolResultsPolicy.CHECKED : current;
        List<Map<String, Object>> policies = new ArrayList<>();
        POLICIES.forEach((p, line) -> policies.add(Map.of("value", p.wireName(), "explanation", line,
                "selected", p == selected)));
        out.put("policies", policies);
        if (terms == null) {
            out.put("terms", null);
            out.put("audience_value", "");
            out.put("follows", false);
            return out;
        }
        Map<String, Object> shown = new LinkedHashMap<>();
        boolean wholeProject = terms.withUsers() == null;
        shown.put("whole_project", wholeProject);
        shown.put("audience", wholeProject ? "" : String.join(", ", terms.withUsers()));
        shown.put("has_expiry", terms.expiresAt() != null);
        shown.put("expires_at", terms.expiresAt() == null ? null : ConversationModel.time(terms.expiresAt()));
        shown.put("expired", terms.expiresAt() != null && !Instant.now().isBefore(terms.expiresAt()));
        shown.put("follows", terms.follows());
        shown.put("tool_results", current == null ? "" : current.wireName());
        shown.put("tool_results_explanation", current == null ? "" : POLICIES.get(current));
        out.put("terms", shown);
        out.put("audience_value", wholeProject ? "" : String.join(", ", terms.withUsers()));
        out.put("follows", terms.follows());
        return out;
    }

    private static String abbreviate(String value) {
        return value.length() <= 20 ? value : value.substring(0, 20) + "…";
    }

    private static Map<ToolResultsPolicy, String> policies() {
        Map<ToolResultsPolicy, String> out = new LinkedHashMap<>();
        out.put(ToolResultsPolicy.CHECKED, "a reader sees a tool result only if they could obtain it themselves now");
        out.put(ToolResultsPolicy.ALL, "every reader sees every tool result as it was recorded");
        out.put(ToolResultsPolicy.NONE, "no reader sees any tool result; the calls show, their results are withheld");
        return Collections.unmodifiableMap(out);
    }

    private static Map<Long, String> presets() {
        Map<Long, String> out = new LinkedHashMap<>();
        out.put(3_600L, "in 1 hour");
        out.put(86_400L, "in 1 day");
        out.put(604_800L, "in 7 days");
        out.put(2_592_000L, "in 30 days");
        return Collections.unmodifiableMap(out);
    }
}
