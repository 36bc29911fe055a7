package baton.http;

import baton.conversation.Identity;
import baton.mcp.ToolSpecs;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The step-up hint of the MCP authorization spec ("Scope Challenge Handling"): a viewer who came
 * with an OAuth access token and calls a tool that writes gets HTTP 403 with
 * {@code WWW-Authenticate: Bearer error="insufficient_scope", scope="baton:editor"} and the usual
 * one-sentence refusal as the JSON-RPC error of that request, so a client can ask its
 * authorization server for the wider scope and try again. Tool refusals are otherwise tool results
 * inside HTTP 200, where no header can carry a hint; so this looks at the posted message at the
 * gate, before the MCP server sees it. A tool "writes" when its tools-spec is not annotated
 * read-only (the same rule that hides it from a viewer's tools/list); unknown tools pass on to get
 * the usual unknown-tool error. Baton tokens carry a fixed role, so no scope could help them: they
 * get the usual tool result.
 */
final class ScopeStepUp {

    private final ToolSpecs specs = new ToolSpecs(new ObjectMapper());
    private final Map<String, Boolean> writes = new ConcurrentHashMap<>();
    private final BearerGate bearer;

    ScopeStepUp(BearerGate bearer) {
        this.bearer = bearer;
    }

    /** True when this refused the request (a viewer calling a tool that writes), having answered it. */
    boolean refused(Identity caller, PostedMessage message, HttpServletResponse response) throws IOException {
        if (caller.role().canWrite() || message == null || message.kind() != PostedMessage.Kind.REQUEST
                || !"tools/call".equals(message.method()) || message.params() == null) {
            return false;
        }
        String tool = message.params().path("name").asText("");
        if (tool.isEmpty() || !writes.computeIfAbsent(tool, this::writes)) {
            return false;
        }
        response.setHeader("WWW-Authenticate", bearer.challenge("error=\"insufficient_scope\", scope=\"baton:editor\""));
        JsonRpcErrors.write(response, HttpServletResponse.SC_FORBIDDEN, message.id(), JsonRpcErrors.REFUSED,
                "User " + caller.userId() + " has the viewer role in project " + caller.projectId() + " and may not call "
                        + RequestGate.shorten(tool) + "; an access token with scope baton:editor may.");
        return true;
    }

    private boolean writes(String tool) {
        if (!tool.matches("[a-z_]{1,64}")) {
            return false;
        }
        try {
            McpSchema.Tool spec = specs.tool(tool);
            return spec.annotations() == null || !Boolean.TRUE.equals(spec.annotations().readOnlyHint());
        } catch (IllegalStateException unknown) {
            return false;
        }
    }
}
