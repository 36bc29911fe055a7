package baton.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The model exchanges of a recorded replay, written as WireMock mappings matched as the fixtures
 * of test-fixtures/wiremock are: on the conversation's last message and on its system prompt.
 * The project name in a system prompt (new in every run) matches any project. When the same
 * request got different answers (a repeat, a flaky model), the answers are chained with a WireMock
 * scenario so that a replay gets them in the recorded order; the last one then stays.
 */
final class Recording {

    /** One request and its answer, bytes as they went over the wire. */
    record Exchange(String method, String path, byte[] requestBody, int status, String contentType,
            byte[] responseBody) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final List<Exchange> exchanges = new ArrayList<>();
    private final Set<String> projects = ConcurrentHashMap.newKeySet();

    synchronized void add(Exchange exchange) {
        exchanges.add(exchange);
    }

    /** A project a run used: in system prompts it matches any project, since a replay makes new ones. */
    void project(String project) {
        projects.add(project);
    }

    /** Writes {@code dir/mappings/*.json}; returns how many mappings were written. */
    synchronized int write(Path dir) throws IOException {
        Path mappings = dir.resolve("mappings");
        Files.createDirectories(mappings);
        Map<String, List<Exchange>> byRequest = new LinkedHashMap<>();
        Map<String, ArrayNode> patterns = new LinkedHashMap<>();
        for (Exchange e : exchanges) {
            ArrayNode bodyPatterns = bodyPatterns(e);
            String key = e.method() + " " + e.path() + " " + bodyPatterns;
            byRequest.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
            patterns.putIfAbsent(key, bodyPatterns);
        }
        int n = 0;
        int group = 0;
        for (var entry : byRequest.entrySet()) {
            group++;
            List<Exchange> answers = distinctInOrder(entry.getValue());
            for (int i = 0; i < answers.size(); i++) {
                Exchange e = answers.get(i);
                ObjectNode mapping = JSON.createObjectNode();
                mapping.put("name", "recorded exchange " + group + (answers.size() > 1 ? " answer " + (i + 1) : ""));
                if (answers.size() > 1) {
                    mapping.put("scenarioName", "recorded-" + group);
                    mapping.put("requiredScenarioState", i == 0 ? "Started" : "answer-" + (i + 1));
                    if (i + 1 < answers.size()) {
                        mapping.put("newScenarioState", "answer-" + (i + 2));
                    }
                }
                ObjectNode request = mapping.putObject("request");
                request.put("method", e.method());
                request.put("urlPath", e.path());
                if (!patterns.get(entry.getKey()).isEmpty()) {
                    request.set("bodyPatterns", patterns.get(entry.getKey()));
                }
                ObjectNode response = mapping.putObject("response");
                response.put("status", e.status());
                if (e.contentType() != null) {
                    response.putObject("headers").put("Content-Type", e.contentType());
                }
                response.put("body", new String(e.responseBody(), StandardCharsets.UTF_8));
                n++;
                Files.writeString(mappings.resolve(String.format(Locale.ROOT, "%03d-%02d.json", group, i + 1)),
                        JSON.writeValueAsString(mapping) + "\n");
            }
        }
        return n;
    }

    /**
     * The same answer given to every repeat of a request is one mapping; when the answers differ,
     * each is kept in order, one state each.
     */
    private static List<Exchange> distinctInOrder(List<Exchange> all) {
        boolean allSame = all.stream().allMatch(e -> e.status() == all.get(0).status()
                && Arrays.equals(e.responseBody(), all.get(0).responseBody()));
        return allSame ? List.of(all.get(0)) : all;
    }

    private ArrayNode bodyPatterns(Exchange e) {
        ArrayNode patterns = JSON.createArrayNode();
        JsonNode body;
        try {
            body = JSON.readTree(e.requestBody());
        } catch (IOException ex) {
            return patterns;
        }
        JsonNode messages = body == null ? null : body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return patterns;
        }
        JsonNode last = messages.get(messages.size() - 1);
        if (last.path("content").isTextual()) {
            patterns.add(path("$.messages[-1].content", "equalTo", last.get("content").asText()));
        } else {
            patterns.add(path("$.messages[-1].role", "equalTo", last.path("role").asText()));
        }
        if (last.path("tool_call_id").isTextual()) {
            patterns.add(path("$.messages[-1].tool_call_id", "equalTo", last.get("tool_call_id").asText()));
        }
        JsonNode first = messages.get(0);
        if ("system".equals(first.path("role").asText()) && first.path("content").isTextual()) {
            patterns.add(path("$.messages[0].content", "matches", anyProject(first.get("content").asText())));
        }
        return patterns;
    }

    /** A regular expression matching the text exactly, but any project in place of a recorded one. */
    private String anyProject(String text) {
        String re = quote(text);
        for (String project : projects) {
            re = re.replace(project, "\\E[^\\n]*\\Q");
        }
        return "(?s)" + re;
    }

    private static String quote(String text) {
        return "\\Q" + text.replace("\\E", "\\E\\\\E\\Q") + "\\E";
    }

    private static ObjectNode path(String expression, String operator, String value) {
        ObjectNode node = JSON.createObjectNode();
        node.putObject("matchesJsonPath").put("expression", expression).put(operator, value);
        return node;
    }
}
