package baton.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --json FILE} report: every run, step and check, the model requests and tokens of each
 * step (tokens only when the provider reported them), timings, and the pass rates.
 */
final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    static void write(ReplayReport report, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        PassRates rates = report.rates();
        root.put("passed", rates.passed());
        root.put("repeat", report.repeat());
        root.put("min_pass_rate", report.minPassRate());
        root.put("started_at", report.startedAt().toString());
        root.put("duration_ms", report.duration().toMillis());
        report.models().forEach(root.putArray("models")::add);
        report.scenarios().forEach(root.putArray("scenarios")::add);
        ArrayNode expectations = root.putArray("expectations");
        for (PassRates.Rate r : rates.all()) {
            ObjectNode e = expectations.addObject();
            e.put("model", r.model());
            e.put("scenario", r.scenario());
            e.put("expectation", r.expectation());
            e.put("passes", r.passes());
            e.put("runs", r.runs());
            e.put("pass_rate", r.rate());
            e.put("passed", r.meets(report.minPassRate()));
        }
        ArrayNode runs = root.putArray("runs");
        for (RunRecord run : report.runs()) {
            ObjectNode r = runs.addObject();
            r.put("model", run.model());
            r.put("scenario", run.scenario());
            r.put("repeat", run.repeat());
            r.put("project", run.outcome().project());
            r.put("started_at", run.startedAt().toString());
            r.put("duration_ms", run.duration().toMillis());
            r.put("passed", run.outcome().passed());
            ArrayNode steps = r.putArray("steps");
            for (RunRecord.StepRecord s : run.steps()) {
                steps.add(step(s));
            }
        }
        Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    private static ObjectNode step(RunRecord.StepRecord s) {
        var result = s.result();
        ObjectNode o = JSON.createObjectNode();
        o.put("step", result.index());
        o.put("as", result.step().as());
        o.put("action", result.step().action());
        o.put("duration_ms", result.duration().toMillis());
        o.put("model_requests", s.requests());
        if (s.totalTokens() != null) {
            ObjectNode tokens = o.putObject("tokens");
            tokens.put("input", s.inputTokens());
            tokens.put("output", s.outputTokens());
            tokens.put("total", s.totalTokens());
        } else {
            o.putNull("tokens");
        }
        if (result.turn() != null) {
            o.put("reply", result.turn().reply());
            o.put("turn_error", result.turn().error());
            ArrayNode tools = o.putArray("tool_calls");
            result.turn().toolCalls().forEach(c -> tools.add(c.tool()));
            o.put("permission_hints", result.turn().permissionHints().size());
        }
        if (result.error() != null) {
            o.put("error", result.error());
        }
        ArrayNode checks = o.putArray("checks");
        for (var c : result.checks()) {
            ObjectNode k = checks.addObject();
            k.put("expectation", c.expectation());
            k.put("passed", c.passed());
            if (!c.detail().isEmpty()) {
                k.put("detail", c.detail());
            }
        }
        return o;
    }
}
