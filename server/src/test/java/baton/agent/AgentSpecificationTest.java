package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSpecificationTest {

    private static final UpstreamServer WAREHOUSE = new UpstreamServer("warehouse",
            URI.create("http://127.0.0.1:8931/mcp"), null, null, null, null, null);

    private static Map<String, Object> querySchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("dataset", Map.of("type", "string", "description", "The dataset to query"));
        properties.put("limit", Map.of("type", "integer"));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", List.of("dataset"));
        return schema;
    }

    private static ToolSpecification specification(String name, McpSchema.Tool tool) {
        return Agent.specification(new UpstreamTool(name, WAREHOUSE, tool));
    }

    @Test
    void theInputSchemaBecomesTheParametersOfTheToolSpecification() {
        McpSchema.Tool tool = McpSchema.Tool.builder().name("query_dataset").description("Runs a query on a dataset")
                .inputSchema(querySchema()).build();

        ToolSpecification spec = specification("query_dataset", tool);

        assertThat(spec.name()).isEqualTo("query_dataset");
        assertThat(spec.description()).isEqualTo("Runs a query on a dataset");
        JsonObjectSchema parameters = spec.parameters();
        assertThat(parameters.properties()).containsOnlyKeys("dataset", "limit");
        assertThat(parameters.properties().get("dataset")).isEqualTo(
                JsonStringSchema.builder().description("The dataset to query").build());
        assertThat(parameters.properties().get("limit")).isInstanceOf(JsonIntegerSchema.class);
        assertThat(parameters.required()).containsExactly("dataset");
    }

    @Test
    void theSchemaKeywordIsDroppedAndTheUpstreamToolIsLeftUntouched() {
        Map<String, Object> schema = querySchema();
        McpSchema.Tool tool = McpSchema.Tool.builder().name("query_dataset").inputSchema(schema).build();

        specification("query_dataset", tool);

        assertThat(tool.inputSchema()).containsKey("$schema");
    }

    /**
     * Regression: the Python MCP SDK gives every tool's input schema a top-level title (such as
     * {@code query_datasetArguments}); LangChain4j cannot carry it, so the tool was offered
     * without any parameters.
     */
    @Test
    void aTopLevelTitleAndOtherAnnotationsDoNotCostTheToolItsParameters() {
        Map<String, Object> schema = querySchema();
        schema.put("title", "query_datasetArguments");
        schema.put("$id", "https://warehouse.example/schemas/query");
        schema.put("$comment", "generated");
        schema.put("examples", List.of(Map.of("dataset", "sales")));
        McpSchema.Tool tool = McpSchema.Tool.builder().name("query_dataset").inputSchema(schema).build();

        ToolSpecification spec = specification("query_dataset", tool);

        assertThat(spec.parameters().properties()).containsOnlyKeys("dataset", "limit");
        assertThat(spec.parameters().required()).containsExactly("dataset");
    }

    @Test
    void theModelKnowsTheToolByItsUpstreamToolNameAndItsNameDescribesItWithoutADescription() {
        McpSchema.Tool tool = McpSchema.Tool.builder().name("query_dataset").inputSchema(querySchema()).build();

        ToolSpecification spec = specification("warehouse__query_dataset", tool);

        assertThat(spec.name()).isEqualTo("warehouse__query_dataset");
        assertThat(spec.description()).isEqualTo("query_dataset");
        assertThat(spec.parameters().properties()).containsOnlyKeys("dataset", "limit");
    }

    @Test
    void aSchemaThatCannotBeDescribedFallsBackToAnEmptyObjectSchema() {
        Map<String, Object> weird = new LinkedHashMap<>();
        weird.put("type", "object");
        weird.put("properties", Map.of("dataset", "string"));
        weird.put("required", "dataset");
        McpSchema.Tool tool = McpSchema.Tool.builder().name("query_dataset").description("Runs a query")
                .inputSchema(weird).build();

        ToolSpecification spec = specification("query_dataset", tool);

        assertThat(spec.name()).isEqualTo("query_dataset");
        assertThat(spec.description()).isEqualTo("Runs a query");
        assertThat(spec.parameters()).isEqualTo(JsonObjectSchema.builder().build());
    }

    @Test
    void aSchemaThatIsNotAnObjectSchemaFallsBackToAnEmptyObjectSchema() {
        McpSchema.Tool array = McpSchema.Tool.builder().name("list")
                .inputSchema(Map.of("type", "array", "items", Map.of("type", "string"))).build();
        McpSchema.Tool empty = McpSchema.Tool.builder().name("ping").inputSchema(Map.of()).build();

        assertThat(specification("list", array).parameters()).isEqualTo(JsonObjectSchema.builder().build());
        assertThat(specification("ping", empty).parameters()).isEqualTo(JsonObjectSchema.builder().build());
    }
}
