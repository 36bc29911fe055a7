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
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A prompt-regression scenario (a JSON file, see test-fixtures/scenarios and its
 * {@code scenario.schema.json}): users who create, send, share and fork in turn, with expectations
 * on what each turn gives back.
 */
public record Scenario(String name, String description, List<Step> steps) {

    /**
     * One step, done as user {@code as}: exactly one action of create (a title), send (content),
     * share, fork or check (only the expectations, on the current conversation).
     */
    public record Step(String as, String action, String argument, JsonNode expect) {

        /** The step as reports name it: {@code step 3 (alice send)}, counting from 1. */
        public String label(int index) {
            return "step " + index + " (" + as + " " + action + ")";
        }

        /** The statement a judge model decides for this step, or null. */
        public String judged() {
            return expect == null || !expect.hasNonNull("judged") ? null : expect.get("judged").asText();
        }
    }

    static final Set<String> ACTIONS = Set.of("create", "send", "share", "fork", "check");
    static final Set<String> EXPECTATIONS = Set.of("reply_matches", "reply_not_matches",
            "tool_calls_include", "permission_hints_min", "permission_hints_max", "hints_mention",
            "system_prompt_contains", "system_prompt_excludes", "turn_fails", "judged");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether some step has a {@code judged} expectation (then replay needs a judge model). */
    public boolean needsJudge() {
        return steps.stream().anyMatch(s -> s.judged() != null);
    }

    /** The scenario files in a directory: its {@code *.json} files but the schema, sorted by name. */
    public static boolean isScenarioFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".json") && !name.endsWith(".schema.json");
    }

    /**
     * Reads and checks a scenario file: the rules that give the plainest sentences first, then
     * the JSON Schema ({@link ScenarioSchema}) for everything else.
     *
     * @throws BatonException {@link ErrorCode#INVALID_ARGUMENT} naming the file, the step and the field
     */
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
                checkExpect(file, at, expect);
                if (expect.has("judged") && !action.equals("send")) {
                    throw invalid(file, at + ".expect.judged needs a send step (it judges the reply)");
                }
            }
            JsonNode arg = s.get(action);
            steps.add(new Step(as, action, arg.isTextual() ? arg.asText() : null, expect.isMissingNode() ? null : expect));
        }
        String mistake = ScenarioSchema.firstMistake(root);
        if (mistake != null) {
            throw invalid(file, mistake);
        }
        return new Scenario(name, root.path("description").asText(""), steps);
    }

    private static void checkExpect(Path file, String at, JsonNode expect) {
        if (!expect.isObject()) {
            throw invalid(file, at + ".expect must be an object");
        }
        for (var it = expect.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!EXPECTATIONS.contains(key)) {
                throw invalid(file, at + ".expect has an unknown expectation \"" + key + "\"");
            }
        }
        for (String key : List.of("reply_matches", "reply_not_matches")) {
            if (expect.path(key).isTextual()) {
                try {
                    Pattern.compile(expect.get(key).asText());
                } catch (PatternSyntaxException e) {
                    throw invalid(file, at + ".expect." + key + " is not a regular expression ("
                            + e.getDescription() + ")");
                }
            }
        }
    }

    /** A string or an array of strings, as a list (expectations such as tool_calls_include take both). */
    public static List<String> texts(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static BatonException invalid(Path file, String what) {
        return new BatonException(ErrorCode.INVALID_ARGUMENT, "Scenario " + file + ": " + what + ".");
    }
}
