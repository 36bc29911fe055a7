package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Runs {@link Scenario}s with the real agent, model and upstreams, in a project of their own, and
 * checks their expectations. Each check prints one line: PASS or FAIL, the step and what was
 * expected.
 */
public final class ScenarioRunner {

    private final Conversations conversations;
    private final PromptLibrary prompts;
    private final Agent agent;
    private final PrintWriter out;

    public ScenarioRunner(Conversations conversations, PromptLibrary prompts, Agent agent, PrintWriter out) {
        this.conversations = conversations;
        this.prompts = prompts;
        this.agent = agent;
        this.out = out;
    }

    /** Runs one scenario in {@code project}; returns the number of failed checks. */
    public int run(Scenario scenario, String project) {
        out.println("scenario " + scenario.name() + " (project " + project + ")");
        UUID current = null;
        int failures = 0;
        int n = 0;
        for (Scenario.Step step : scenario.steps()) {
            n++;
            String label = "  step " + n + " (" + step.as() + " " + step.action() + ")";
            Identity caller = new Identity(step.as(), project, Role.EDITOR);
            TurnResult turn = null;
            try {
                switch (step.action()) {
                    case "create" -> current = conversations.create(caller, step.argument()).id();
                    case "send" -> turn = agent.send(caller, require(current), step.argument(), TurnProgress.NONE);
                    case "share" -> conversations.share(caller, require(current), null);
                    case "fork" -> current = conversations.fork(caller, require(current), null).conversation().id();
                    default -> require(current);
                }
            } catch (BatonException e) {
                out.println("FAIL" + label + ": " + e.getMessage());
                out.flush();
                return failures + 1;
            }
            if (turn != null) {
                out.println("    reply: " + oneLine(turn.reply()));
            }
            failures += check(label, step.expect(), caller, current, turn);
            out.flush();
        }
        return failures;
    }

    private int check(String label, JsonNode expect, Identity caller, UUID conversation, TurnResult turn) {
        int failures = 0;
        if (turn != null) {
            boolean wantFailure = expect != null && expect.path("turn_fails").asBoolean(false);
            failures += report(label, turn.failed() == wantFailure,
                    wantFailure ? "the turn fails" : "the turn ends with an answer"
                            + (turn.failed() ? " (it failed: " + turn.error() + ")" : ""));
        }
        if (expect == null) {
            return failures;
        }
        if (turn != null) {
            if (expect.has("reply_matches")) {
                String re = expect.get("reply_matches").asText();
                failures += report(label, Pattern.compile(re).matcher(turn.reply()).find(), "reply matches " + re);
            }
            if (expect.has("reply_not_matches")) {
                String re = expect.get("reply_not_matches").asText();
                failures += report(label, !Pattern.compile(re).matcher(turn.reply()).find(),
                        "reply does not match " + re);
            }
            for (JsonNode tool : expect.path("tool_calls_include")) {
                boolean called = turn.toolCalls().stream().anyMatch(c -> c.tool().equals(tool.asText()));
                failures += report(label, called, "the turn calls " + tool.asText());
            }
            if (expect.has("permission_hints_min")) {
                int min = expect.get("permission_hints_min").asInt();
                failures += report(label, turn.permissionHints().size() >= min,
                        "at least " + min + " permission hint(s) (got " + turn.permissionHints().size() + ")");
            }
            if (expect.has("permission_hints_max")) {
                int max = expect.get("permission_hints_max").asInt();
                failures += report(label, turn.permissionHints().size() <= max,
                        "at most " + max + " permission hint(s) (got " + turn.permissionHints().size() + ")");
            }
            for (JsonNode word : expect.path("hints_mention")) {
                boolean mentioned = turn.permissionHints().stream().anyMatch(h -> h.hint().contains(word.asText()));
                failures += report(label, mentioned, "a permission hint mentions " + word.asText());
            }
        }
        if (expect.has("system_prompt_contains") || expect.has("system_prompt_excludes")) {
            Conversation c = conversations.metadata(caller, conversation).conversation();
            String system = prompts.systemPrompt(c);
            for (JsonNode text : expect.path("system_prompt_contains")) {
                failures += report(label, system.contains(text.asText()), "system prompt contains \"" + text.asText() + "\"");
            }
            for (JsonNode text : expect.path("system_prompt_excludes")) {
                failures += report(label, !system.contains(text.asText()),
                        "system prompt does not contain \"" + text.asText() + "\"");
            }
        }
        return failures;
    }

    private int report(String label, boolean ok, String what) {
        out.println((ok ? "PASS" : "FAIL") + label + ": " + what);
        return ok ? 0 : 1;
    }

    private static UUID require(UUID current) {
        if (current == null) {
            throw new BatonException(baton.conversation.ErrorCode.INVALID_ARGUMENT,
                    "there is no conversation yet: a scenario starts with a create step.");
        }
        return current;
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
