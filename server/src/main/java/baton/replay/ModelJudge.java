package baton.replay;

import baton.agent.ModelCaller;
import baton.agent.ScenarioRunner;
import baton.agent.TurnResult;
import baton.conversation.BatonException;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides a {@code judged} expectation by asking the judge model (prompts/judge.md and
 * prompts/judge_case.md) for {@code {"verdict": "pass"|"fail", "reason": "…"}}. An answer that is not
 * such a verdict, or a judge that cannot be reached, fails the expectation with that said as reason.
 */
final class ModelJudge implements ScenarioRunner.Judge {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OBJECT = Pattern.compile("\\{.*}", Pattern.DOTALL);

    private final ModelCaller model;
    private final PromptLibrary prompts;

    ModelJudge(ChatModel chatModel, JudgeSettings settings, PromptLibrary prompts) {
        this.model = new ModelCaller(chatModel, settings.model(), d -> Thread.sleep(d.toMillis()));
        this.prompts = prompts;
    }

    /** The judge's user message for one turn. */
    static String caseText(PromptLibrary prompts, String statement, String message, TurnResult turn) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("statement", statement);
        vars.put("message", message == null ? "" : message);
        vars.put("tools", String.join(", ", turn.toolCalls().stream().map(TurnResult.ToolCallRecord::tool).toList()));
        vars.put("reply", turn.reply());
        return prompts.render("judge_case", vars);
    }

    @Override
    public Verdict judge(String statement, String message, TurnResult turn) {
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from(prompts.render("judge", Map.of())),
                        UserMessage.from(caseText(prompts, statement, message, turn)))
                .build();
        String answer;
        try {
            answer = model.chat(request).aiMessage().text();
        } catch (BatonException e) {
            return new Verdict(false, "the judge model failed: " + e.getMessage());
        }
        return verdict(answer);
    }

    /** Reads the judge's answer: a JSON verdict, else a leading PASS or FAIL word. */
    static Verdict verdict(String answer) {
        String text = answer == null ? "" : answer.strip();
        Matcher m = OBJECT.matcher(text);
        if (m.find()) {
            try {
                JsonNode node = JSON.readTree(m.group());
                String verdict = node.path("verdict").asText("").strip().toLowerCase(java.util.Locale.ROOT);
                String reason = oneSentence(node.path("reason").asText(""));
                if (verdict.equals("pass") || verdict.equals("fail")) {
                    return new Verdict(verdict.equals("pass"), reason.isEmpty() ? "(no reason given)" : reason);
                }
            } catch (java.io.IOException e) {
                // not JSON after all: try the words below
            }
        }
        String upper = text.toUpperCase(java.util.Locale.ROOT);
        if (upper.startsWith("PASS") || upper.startsWith("FAIL")) {
            String reason = oneSentence(text.substring(4).replaceFirst("^[\\s:.\\-–—]+", ""));
            return new Verdict(upper.startsWith("PASS"), reason.isEmpty() ? "(no reason given)" : reason);
        }
        return new Verdict(false, "the judge did not answer with a verdict: " + oneSentence(text));
    }

    private static String oneSentence(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
