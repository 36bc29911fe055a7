package baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;

/**
 * The JSON Schema of scenario files ({@code test-fixtures/scenarios/scenario.schema.json}, carried
 * in the jar as {@code scenarios/scenario.schema.json}): the one source of their rules, which
 * editors also read.
 */
final class ScenarioSchema {

    static final String RESOURCE = "scenarios/scenario.schema.json";
    private static volatile Schema schema;

    private ScenarioSchema() {
    }

    /** The first rule the file breaks, as "steps[2].expect.permission_hints_min: …", or null. */
    static String firstMistake(JsonNode root) {
        List<Error> errors = schema().validate(root);
        if (errors.isEmpty()) {
            return null;
        }
        // The deepest mistake says most: a wrong expectation type rather than "the step is not valid".
        Error first = errors.stream()
                .filter(e -> !"oneOf".equals(e.getKeyword()) || errors.size() == 1)
                .max(Comparator.comparingInt(e -> e.getInstanceLocation().toString().length()))
                .orElse(errors.get(0));
        String where = field(first.getInstanceLocation().toString());
        if (first.getProperty() != null && "additionalProperties".equals(first.getKeyword())) {
            where = (where.isEmpty() ? "" : where + ".") + first.getProperty();
            return where + " is not a known field";
        }
        String message = first.getMessage();
        int colon = message.indexOf(": ");
        String what = colon >= 0 && (message.startsWith("$") || message.startsWith("/") || message.startsWith(":"))
                ? message.substring(colon + 2) : message;
        return (where.isEmpty() ? "the file" : where) + ": " + what;
    }

    /** "/steps/1/expect/x" or "$.steps[1].expect.x" as "steps[1].expect.x". */
    static String field(String location) {
        if (location.startsWith("/") || location.isEmpty()) {
            StringBuilder out = new StringBuilder();
            for (String part : location.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                String name = part.replace("~1", "/").replace("~0", "~");
                if (name.chars().allMatch(Character::isDigit)) {
                    out.append('[').append(name).append(']');
                } else {
                    out.append(out.length() == 0 ? "" : ".").append(name);
                }
            }
            return out.toString();
        }
        return location.replaceFirst("^\\$\\.?", "");
    }

    private static Schema schema() {
        Schema made = schema;
        if (made == null) {
            try (InputStream in = ScenarioSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the classpath");
                }
                JsonNode node = new ObjectMapper().readTree(in);
                made = SchemaRegistry.withDefaultDialect(Dialects.getDraft202012()).getSchema(node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            schema = made;
        }
        return made;
    }
}
