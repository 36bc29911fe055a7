package baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Role;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two error channels: what reaches the caller when a handler fails. */
class ToolRegistryTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final Identity alice = new Identity("alice", "p", Role.EDITOR);
    private final ToolRegistry registry = new ToolRegistry(new ToolSpecs(mapper),
            new DefaultJsonSchemaValidator(mapper), mapper, IdentityResolver.fixed(alice));

    private static ToolHandler failing(RuntimeException e) {
        return new ToolHandler() {
            @Override
            public String name() {
                return "read_conversation";
            }

            @Override
            public Map<String, Object> call(Identity caller, Arguments arguments) {
                throw e;
            }
        };
    }

    private static String text(CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void businessFailureIsAnErrorResultWithItsSentence() {
        CallToolResult result = registry.call(failing(new BatonException(ErrorCode.NOT_FOUND, "Conversation x was not found.")),
                alice, Map.of());
        assertThat(result.isError()).isTrue();
        assertThat(text(result)).isEqualTo("Conversation x was not found.");
    }

    @Test
    void unexpectedFailureLeaksNoDetail() {
        CallToolResult result = registry.call(failing(new IllegalStateException(
                "ERROR: duplicate key value violates unique constraint \"messages_pkey\" in select * from messages")),
                alice, Map.of());
        assertThat(result.isError()).isTrue();
        assertThat(text(result)).isEqualTo("An internal error occurred while running read_conversation; nothing was changed.");
    }

    @Test
    void successCarriesStructuredContentAndTheSameJsonAsText() throws Exception {
        ToolHandler ok = new ToolHandler() {
            @Override
            public String name() {
                return "unshare_conversation";
            }

            @Override
            public Map<String, Object> call(Identity caller, Arguments arguments) {
                return Map.of("conversation_id", "c", "shared", false);
            }
        };
        CallToolResult result = registry.call(ok, alice, Map.of());
        assertThat(result.isError()).isFalse();
        // the structured content goes out as the very JSON of the text
        assertThat(mapper.readValue(mapper.writeValueAsString(result.structuredContent()), Map.class))
                .isEqualTo(Map.of("conversation_id", "c", "shared", false));
        assertThat(mapper.writeValueAsString(result.structuredContent())).isEqualTo(text(result));
    }

    @Test
    void aSchemaViolationIsOneShortLineHoweverLongOrBrokenTheUnknownKey() {
        String key = "x".repeat(100_000) + "\n\nsecond line";
        String sentence = ToolRegistry.schemaViolation("create_conversation", "Validation failed: JSON schema"
                + " validation errors: [/title: must be at most 500 characters long, : property '" + key
                + "' is not defined in the schema and the schema does not allow additional properties]");

        assertThat(sentence).isEqualTo("Invalid arguments for tool create_conversation: /title: must be at most 500"
                + " characters long, property '" + "x".repeat(60) + "...' is not defined in the schema and the"
                + " schema does not allow additional properties.");
    }

    @Test
    void aKeyWithALineBreakIsShownEscaped() {
        assertThat(ToolRegistry.schemaViolation("fork_conversation", "Validation failed: JSON schema validation"
                + " errors: [: property '\n\n' is not defined in the schema and the schema does not allow"
                + " additional properties]")).isEqualTo("Invalid arguments for tool fork_conversation: property"
                + " '\\u000a\\u000a' is not defined in the schema and the schema does not allow additional properties.");
    }

    @Test
    void schemaViolationsAreResultsFrom20251125OnAndForSessionsOfUnknownVersion() {
        ToolRegistry byVersion = new ToolRegistry(new ToolSpecs(mapper), new DefaultJsonSchemaValidator(mapper), mapper,
                IdentityResolver.fixed(alice), session -> java.util.Optional.ofNullable(Map.of(
                        "a", "2024-11-05", "b", "2025-03-26", "c", "2025-06-18", "d", "2025-11-25", "e", "2026-06-30")
                        .get(session)));
        assertThat(byVersion.schemaErrorsAsResults("a")).isFalse();
        assertThat(byVersion.schemaErrorsAsResults("b")).isFalse();
        assertThat(byVersion.schemaErrorsAsResults("c")).isFalse();
        assertThat(byVersion.schemaErrorsAsResults("d")).isTrue();
        assertThat(byVersion.schemaErrorsAsResults("e")).isTrue();
        assertThat(byVersion.schemaErrorsAsResults("unknown")).isTrue();
    }
}
