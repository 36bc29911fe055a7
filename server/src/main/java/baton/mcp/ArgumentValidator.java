package baton.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.Map;

/**
 * The SDK's schema validator for tool arguments, made at the first call that needs it rather than
 * with the server: making it loads the JSON Schema library and its 2020-12 meta-schema (some 200
 * classes), which the handshake and the lists a client asks for first never use.
 */
final class ArgumentValidator implements JsonSchemaValidator {

    private final ObjectMapper mapper;
    private volatile JsonSchemaValidator validator;

    ArgumentValidator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object arguments) {
        return validator().validate(schema, arguments);
    }

    @Override
    public ValidationResponse validateSchema(Map<String, Object> schema) {
        return validator().validateSchema(schema);
    }

    private JsonSchemaValidator validator() {
        JsonSchemaValidator made = validator;
        if (made == null) {
            synchronized (this) {
                made = validator;
                if (made == null) {
                    made = new DefaultJsonSchemaValidator(mapper);
                    validator = made;
                }
            }
        }
        return made;
    }
}
