package baton.mcp.stdio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import baton.mcp.BatonMcpServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The early {@code initialize} answer without Jackson's bean machinery ({@link EarlyInitialize}):
 * params it calls plain are ones the SDK's mapper reads without fail, and the answer it writes is
 * the JSON the SDK's mapper writes for the same result. ({@code EarlyInitializeTest} compares the
 * whole answer with the SDK session's own, per protocol version.)
 */
class EarlyInitializeJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JacksonMcpJsonMapper SDK = BatonMcpServer.jsonMapper(StdioTransport.MAX_LINE_BYTES);

    /** What clients send, and odd but valid shapes: all plain, and all read by the SDK with the same version. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{'protocolVersion':'2025-06-18','capabilities':{},'clientInfo':{'name':'t','version':'1'}}",
            "{'protocolVersion':'2025-11-25'}",
            "{'protocolVersion':'x','capabilities':null,'clientInfo':null,'_meta':null}",
            "{'protocolVersion':'2025-06-18','capabilities':{'roots':{'listChanged':true},'sampling':{},"
                    + "'elicitation':{'form':{},'url':{}},'experimental':{'a':{'b':[1,2]}},'extensions':{'x':{'y':1},'z':null}},"
                    + "'clientInfo':{'name':'claude-ai','title':'Claude','version':'0.1.0','description':'d',"
                    + "'websiteUrl':'https://x'},'_meta':{'k':'v'},'unknown':[1,{}]}",
            "{'protocolVersion':'2025-06-18','capabilities':{'roots':{},'sampling':{'tools':{},'context':{}},"
                    + "'elicitation':{'form':{'x':1}},'tasks':{'list':{}}},'clientInfo':{'name':'t','version':'1','other':5}}",
            "{'protocolVersion':'2025-06-18','capabilities':{'roots':{'listChanged':null}},'clientInfo':{'icons':null}}",
    })
    void plainParamsAreReadByTheSdk(String params) throws Exception {
        Map<?, ?> map = JSON.readValue(params.replace('\'', '"'), Map.class);
        assertThat(EarlyInitialize.plainParams(map)).isTrue();
        McpSchema.InitializeRequest request = SDK.convertValue(map, new TypeRef<McpSchema.InitializeRequest>() {
        });
        assertThat(request.protocolVersion()).isEqualTo(map.get("protocolVersion"));
    }

    /** Anything else is left to Jackson, as before (some of these it reads, some it refuses). */
    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{'protocolVersion':null}",
            "{'protocolVersion':5}",
            "{'protocolVersion':'v','capabilities':'all'}",
            "{'protocolVersion':'v','capabilities':[]}",
            "{'protocolVersion':'v','capabilities':{'roots':true}}",
            "{'protocolVersion':'v','capabilities':{'roots':{'listChanged':'yes'}}}",
            "{'protocolVersion':'v','capabilities':{'sampling':[]}}",
            "{'protocolVersion':'v','capabilities':{'elicitation':{'form':1}}}",
            "{'protocolVersion':'v','capabilities':{'experimental':1}}",
            "{'protocolVersion':'v','capabilities':{'extensions':{'x':1}}}",
            "{'protocolVersion':'v','capabilities':{'extensions':[]}}",
            "{'protocolVersion':'v','clientInfo':'me'}",
            "{'protocolVersion':'v','clientInfo':{'name':5}}",
            "{'protocolVersion':'v','clientInfo':{'name':'t','icons':[{'src':'x'}]}}",
            "{'protocolVersion':'v','_meta':[]}",
    })
    void otherParamsAreLeftToJackson(String params) throws Exception {
        Object value = JSON.readValue(params.replace('\'', '"'), Object.class);
        assertThat(EarlyInitialize.plainParams(value)).isFalse();
    }

    @Test
    void paramsThatAreNotAnObjectAreNotPlain() {
        assertThat(EarlyInitialize.plainParams(null)).isFalse();
        assertThat(EarlyInitialize.plainParams(List.of())).isFalse();
        assertThat(EarlyInitialize.plainParams("x")).isFalse();
    }

    /** Baton's answer, and one with every field the records have set: the same JSON as the SDK's mapper writes. */
    @Test
    void theAnswerIsTheJsonTheSdkWrites() throws Exception {
        List<McpSchema.InitializeResult> results = List.of(
                BatonMcpServer.initializeResult("2025-06-18", List.of("2025-06-18")),
                new McpSchema.InitializeResult("v",
                        new McpSchema.ServerCapabilities(new McpSchema.ServerCapabilities.CompletionCapabilities(),
                                Map.of("e", Map.of("f", 1)), new McpSchema.ServerCapabilities.LoggingCapabilities(),
                                new McpSchema.ServerCapabilities.PromptCapabilities(true),
                                new McpSchema.ServerCapabilities.ResourceCapabilities(null, true),
                                new McpSchema.ServerCapabilities.ToolCapabilities(null),
                                Map.of("x", Map.of("y", true))),
                        new McpSchema.Implementation("n", "t", "1", "d", null, "https://w"), "i", Map.of("m", "n")),
                new McpSchema.InitializeResult("v", McpSchema.ServerCapabilities.builder().build(),
                        McpSchema.Implementation.builder("n", "1").build(), null, null));
        for (McpSchema.InitializeResult result : results) {
            JsonNode sdk = JSON.readTree(SDK.writeValueAsString(McpSchema.JSONRPCResponse.result(7, result)));
            Map<String, Object> json = EarlyInitialize.result(result);
            assertThat(json).isNotNull();
            JsonNode early = JSON.readTree(SDK.writeValueAsString(EarlyInitialize.response(7, json)));
            assertThat(early).isEqualTo(sdk);
        }
    }

    @Test
    void anAnswerWithServerIconsIsLeftToJackson() {
        McpSchema.InitializeResult result = new McpSchema.InitializeResult("v", McpSchema.ServerCapabilities.builder().build(),
                new McpSchema.Implementation("n", "t", "1", "d", List.of(), null), null, null);
        assertThat(EarlyInitialize.result(result)).isNull();
    }

    /**
     * The fields of the SDK's records this knows: a new field in a later SDK fails here, so that
     * the early answer and the params check learn it.
     */
    @Test
    void theRecordsHaveTheFieldsThisKnows() {
        assertThat(components(McpSchema.InitializeResult.class))
                .containsExactly("protocolVersion", "capabilities", "serverInfo", "instructions", "meta");
        assertThat(components(McpSchema.ServerCapabilities.class))
                .containsExactly("completions", "experimental", "logging", "prompts", "resources", "tools", "extensions");
        assertThat(components(McpSchema.ServerCapabilities.PromptCapabilities.class)).containsExactly("listChanged");
        assertThat(components(McpSchema.ServerCapabilities.ResourceCapabilities.class))
                .containsExactly("subscribe", "listChanged");
        assertThat(components(McpSchema.ServerCapabilities.ToolCapabilities.class)).containsExactly("listChanged");
        assertThat(components(McpSchema.ServerCapabilities.CompletionCapabilities.class)).isEmpty();
        assertThat(components(McpSchema.ServerCapabilities.LoggingCapabilities.class)).isEmpty();
        assertThat(components(McpSchema.Implementation.class))
                .containsExactly("name", "title", "version", "description", "icons", "websiteUrl");
        assertThat(components(McpSchema.InitializeRequest.class))
                .containsExactly("protocolVersion", "capabilities", "clientInfo", "meta");
        assertThat(components(McpSchema.ClientCapabilities.class))
                .containsExactly("experimental", "roots", "sampling", "elicitation", "extensions");
        assertThat(components(McpSchema.ClientCapabilities.RootCapabilities.class)).containsExactly("listChanged");
        assertThat(components(McpSchema.ClientCapabilities.Sampling.class)).isEmpty();
        assertThat(components(McpSchema.ClientCapabilities.Elicitation.class)).containsExactly("form", "url");
        assertThat(components(McpSchema.ClientCapabilities.Elicitation.Form.class)).isEmpty();
        assertThat(components(McpSchema.ClientCapabilities.Elicitation.Url.class)).isEmpty();
        assertThatCode(() -> SDK.convertValue(Map.of("protocolVersion", "v", "capabilities", Map.of("sampling", Map.of("x", 1))),
                new TypeRef<McpSchema.InitializeRequest>() {
                })).doesNotThrowAnyException();
    }

    private static List<String> components(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
    }
}
