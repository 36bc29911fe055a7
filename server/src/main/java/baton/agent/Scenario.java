package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A prompt-regression scenario (a JSON file, see test-fixtures/scenarios): users who create,
 * send, share and fork in turn, with expectations on what each turn gives back.
 */
public record Scenario(String name, String description, List<Step> steps) {

    /**
     * One step, done as user {@code as}: exactly one action of create (a title), send (content),
     * share, fork or check (only the expectations, on the current conversation).
     */
    public record Step(String as, String action, String argument, JsonNode expect) {
    }

    private static final Set<String> ACTIONS = Set.of("create", "send", "share", "fork", "check");
    private static final Set<String> EXPECTATIONS = Set.of("reply_matches", "reply_not_matches",
            "tool_calls_include", "permission_hints_min", "permission_hints_max", "hints_mention",
            "system_prompt_contains", "system_prompt_excludes", "turn_fails");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Scenario load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw invalid(file, "cannot be read as JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.path("steps").isArray() || root.get("steps").isEmpty()) {
            throw invalid(file, "must be an object with a non-empty \"steps\" array");
        }
        String fileName = file.getFileName().toString();
        String name = root.path("name").asText(fileName.replaceFirst("\\.json$", ""));
        List<Step> steps = new ArrayList<>();
        int i = 0;
        for (JsonNode s : root.get("steps")) {
            String at = "steps[" + i++ + "]";
            String as = s.path("as").asText("");
            if (as.isBlank()) {
                throw invalid(file, at + ".as (the user doing the step) is missing");
            }
            List<String> actions = new ArrayList<>();
            s.fieldNames().forEachRemaining(f -> {
                if (ACTIONS.contains(f)) {
                    actions.add(f);
                }
            });
            if (actions.size() != 1) {
                throw invalid(file, at + " must have exactly one of create, send, share, fork, check");
            }
            String action = actions.get(0);
            JsonNode expect = s.path("expect");
            if (!expect.isMissingNode()) {
                if (!expect.isObject()) {
                    throw invalid(file, at + ".expect must be an object");
                }
                for (var it = expect.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!EXPECTATIONS.contains(key)) {
                        throw invalid(file, at + ".expect has an unknown expectation \"" + key + "\"");
                    }
                }
            }
            JsonNode arg = s.get(action);
            steps.add(new Step(as, action, arg.isTextual() ? arg.asText() : null, expect.isMissingNode() ? null : expect));
        }
        return new Scenario(name, root.path("description").asText(""), steps);
    }

    private static BatonException invalid(Path file, String what) {
        return new BatonException(ErrorCode.INVALID_ARGUMENT, "Scenario " + file + ": " + what + ".");
    }
}
