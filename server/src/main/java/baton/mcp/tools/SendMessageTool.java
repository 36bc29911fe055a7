package baton.mcp.tools;

import baton.agent.Agent;
import baton.agent.Cancellation;
import baton.agent.Sampler;
import baton.agent.TurnProgress;
import baton.agent.TurnResult;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.ClientLog;
import baton.mcp.ToolHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code send_message}: runs one turn of Baton's own agent. A turn that ended with an error is an
 * {@code isError} result that still carries the turn's structured result.
 */
public final class SendMessageTool implements ToolHandler {

    private final Agent agent;

    public SendMessageTool(Agent agent) {
        this.agent = agent;
    }

    @Override
    public String name() {
        return "send_message";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        return call(caller, args, TurnProgress.NONE, Cancellation.none());
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args, TurnProgress progress,
            Cancellation cancellation) {
        return call(caller, args, progress, cancellation, Sampler.NONE);
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args, TurnProgress progress,
            Cancellation cancellation, Sampler sampler) {
        TurnResult turn = agent.send(caller, args.requiredUuid("conversation_id"), args.requiredString("content"),
                progress, cancellation, sampler);
        Map<String, Object> result = view(turn);
        if (progress instanceof ClientLog log) {
            turn.toolCalls().stream().filter(c -> c.isError())
                    .forEach(c -> log.warning("The upstream tool " + c.tool() + " failed in this turn."));
            if (turn.failed()) {
                log.error(turn.error());
            }
        }
        if (turn.failed()) {
            throw new FailedResult(turn.error(), result);
        }
        return result;
    }

    static Map<String, Object> view(TurnResult turn) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reply", turn.reply());
        out.put("turn_end_message_id", turn.turnEndMessageId().toString());
        List<Map<String, Object>> calls = turn.toolCalls().stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", c.tool());
            m.put("arguments", c.arguments());
            m.put("is_error", c.isError());
            m.put("call_message_id", c.callMessageId().toString());
            m.put("result_message_id", c.resultMessageId().toString());
            return m;
        }).toList();
        out.put("tool_calls", calls);
        out.put("permission_hints", turn.permissionHints().stream().map(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", h.tool());
            m.put("resource", h.resource());
            m.put("reason", h.reason());
            m.put("hint", h.hint());
            return m;
        }).toList());
        out.put("error", turn.error());
        return out;
    }
}
