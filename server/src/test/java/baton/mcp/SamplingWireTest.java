package baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import baton.agent.SamplingContent;
import baton.agent.SamplingReply;
import baton.agent.SamplingRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sampling with tools through the SDK 2.1.0's schema, which has none of it: what Baton's transport
 * mapper reads from {@code initialize} and a client's answer, and what it writes for a request, as
 * MCP 2025-11-25 spells them.
 */
class SamplingWireTest {

    private final JacksonMcpJsonMapper mapper = BatonMcpServer.jsonMapper(1 << 20);
    private final ObjectMapper json = mapper.getObjectMapper();

    private McpSchema.InitializeRequest initialize(String capabilities) throws Exception {
        String params = "{\"protocolVersion\":\"2025-11-25\",\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"},"
                + "\"capabilities\":" + capabilities + "}";
        return mapper.convertValue(json.readValue(params, Map.class), new TypeRef<McpSchema.InitializeRequest>() {
        });
    }

    @Test
    void aClientDeclaringSamplingToolsIsToldApartFromOneDeclaringSamplingOnly() throws Exception {
        McpSchema.ClientCapabilities tools = initialize(
                "{\"sampling\":{\"tools\":{}},\"roots\":{\"listChanged\":true}}")
                .capabilities();
        McpSchema.ClientCapabilities plain = initialize("{\"sampling\":{}}").capabilities();
        McpSchema.ClientCapabilities none = initialize("{\"experimental\":{\"x\":{}}}").capabilities();

        assertThat(SamplingWire.toolsDeclared(tools)).isTrue();
        assertThat(tools.roots().listChanged()).isTrue();
        assertThat(SamplingWire.toolsDeclared(plain)).isFalse();
        assertThat(plain.sampling()).isNotNull();
        assertThat(SamplingWire.toolsDeclared(none)).isFalse();
        assertThat(none.sampling()).isNull();
        assertThat(none.experimental()).containsOnlyKeys("x");
    }

    @Test
    void aRequestWithToolsIsWrittenAsTheSpecHasItAndTheIdItWentOutWithIsRemembered() throws Exception {
        SamplingRequest request = new SamplingRequest("system", List.of(
                new SamplingRequest.Message(false, List.of(new SamplingContent.Text("Revenue?"))),
                new SamplingRequest.Message(true, List.of(new SamplingContent.ToolUse("t1", "query_dataset",
                        Map.of("dataset", "sales")))),
                new SamplingRequest.Message(false, List.of(new SamplingContent.ToolResult("t1", "[]", false)))),
                List.of(new SamplingRequest.Tool("query_dataset", "Rows.", Map.of("type", "object"))),
                SamplingRequest.ToolChoice.AUTO, "claude", 4096);

        McpSchema.CreateMessageRequest sdk = SamplingWire.request(request, "call-1");
        JsonNode sent = json.readTree(json.writeValueAsString(
                new McpSchema.JSONRPCRequest("2.0", "sampling/createMessage", "s-7", sdk)));

        JsonNode params = sent.get("params");
        assertThat(sent.get("id").asText()).isEqualTo("s-7");
        assertThat(SamplingWire.sentId("call-1")).isEqualTo("s-7");
        SamplingWire.forget("call-1");
        assertThat(params.has("_meta")).isFalse();
        assertThat(params.get("systemPrompt").asText()).isEqualTo("system");
        assertThat(params.get("maxTokens").asInt()).isEqualTo(4096);
        assertThat(params.get("tools")).isEqualTo(json.readTree(
                "[{\"name\":\"query_dataset\",\"description\":\"Rows.\",\"inputSchema\":{\"type\":\"object\"}}]"));
        assertThat(params.get("toolChoice")).isEqualTo(json.readTree("{\"mode\":\"auto\"}"));
        assertThat(params.get("messages")).isEqualTo(json.readTree("""
                [{"role":"user","content":{"type":"text","text":"Revenue?"}},
                 {"role":"assistant","content":{"type":"tool_use","id":"t1","name":"query_dataset",
                   "input":{"dataset":"sales"}}},
                 {"role":"user","content":{"type":"tool_result","toolUseId":"t1",
                   "content":[{"type":"text","text":"[]"}],"isError":false}}]"""));
    }

    @Test
    void aRequestWithoutToolsIsWrittenAsTheSdkWritesIt() throws Exception {
        SamplingRequest request = new SamplingRequest("system", List.of(
                new SamplingRequest.Message(false, List.of(new SamplingContent.Text("Hello?")))), List.of(), null,
                null, 4096);

        JsonNode params = json.readTree(json.writeValueAsString(SamplingWire.request(request, "call-2")));

        assertThat(params.has("tools")).isFalse();
        assertThat(params.has("toolChoice")).isFalse();
        assertThat(params.has("_meta")).isFalse();
        assertThat(params.get("includeContext").asText()).isEqualTo("none");
        assertThat(params.get("messages")).isEqualTo(json.readTree(
                "[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"Hello?\"}}]"));
    }

    @Test
    void anAnswerWithToolUseBlocksIsReadWithoutFailingAndKeepsItsBlocks() throws Exception {
        String result = """
                {"role":"assistant","model":"m1","stopReason":"toolUse","content":[
                  {"type":"text","text":"Looking."},
                  {"type":"tool_use","id":"toolu_1","name":"query_dataset","input":{"dataset":"sales"}}]}""";
        McpSchema.CreateMessageResult read = mapper.convertValue(json.readValue(result, Map.class),
                new TypeRef<McpSchema.CreateMessageResult>() {
                });

        SamplingReply reply = SamplingWire.reply(read);
        assertThat(reply.model()).isEqualTo("m1");
        assertThat(reply.stopReason()).isEqualTo("toolUse");
        assertThat(reply.content()).containsExactly(new SamplingContent.Text("Looking."),
                new SamplingContent.ToolUse("toolu_1", "query_dataset", Map.of("dataset", "sales")));

        McpSchema.CreateMessageResult single = mapper.convertValue(json.readValue("""
                {"role":"assistant","model":"m1","content":{"type":"tool_use","id":"t","name":"n","input":{}}}""",
                Map.class), new TypeRef<McpSchema.CreateMessageResult>() {
                });
        assertThat(SamplingWire.reply(single).toolUses()).extracting(SamplingContent.ToolUse::id).containsExactly("t");

        McpSchema.CreateMessageResult text = mapper.convertValue(json.readValue("""
                {"role":"assistant","model":"m1","stopReason":"endTurn","content":{"type":"text","text":"Hi."}}""",
                Map.class), new TypeRef<McpSchema.CreateMessageResult>() {
                });
        assertThat(text.content()).isEqualTo(new McpSchema.TextContent("Hi."));
        assertThat(text.meta()).isNull();
        assertThat(SamplingWire.reply(text).text()).isEqualTo("Hi.");
    }

    @Test
    void aCancelMarkedProgressNotificationGoesOutAsNotificationsCancelledAndOthersAsTheyAre() throws Exception {
        JsonNode cancelled = json.readTree(json.writeValueAsString(new McpSchema.JSONRPCNotification("2.0",
                "notifications/progress", new McpSchema.ProgressNotification("x", 0.0, null, null,
                        Map.of(SamplingWire.CANCEL, Map.of("requestId", "s-7", "reason", "gone"))))));
        JsonNode progress = json.readTree(json.writeValueAsString(new McpSchema.JSONRPCNotification("2.0",
                "notifications/progress", new McpSchema.ProgressNotification("tok", 1.0, null, "step"))));

        assertThat(cancelled).isEqualTo(json.readTree(
                """
                {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"s-7","reason":"gone"}}"""));
        assertThat(progress).isEqualTo(new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(
                new McpSchema.JSONRPCNotification("2.0", "notifications/progress",
                        new McpSchema.ProgressNotification("tok", 1.0, null, "step")))));
    }
}
