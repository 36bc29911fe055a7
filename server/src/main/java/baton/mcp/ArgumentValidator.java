package baton.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SDK's schema validator for tool arguments, made at the first call that needs it rather than
 * with the server: making it loads the JSON Schema library and its 2020-12 meta-schema (some 200
 * classes), which the handshake and the lists a client asks for first never use.
 *
 * <p>A property given as {@code null} counts as left out, at any depth: clients whose models write
 * every optional field ({@code "parent_id": null} for a root message, as the contract itself
 * describes roots) are not refused for it, and the tools read a null exactly as a missing value. A
 * required property given as null is still refused, as missing.
 */
final class ArgumentValidator implements JsonSchemaValidator {

    private final ObjectMapper mapper;
    private volatile JsonSchemaValidator validator;

    ArgumentValidator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object arguments) {
        return validator().validate(schema, withoutNulls(arguments));
    }

    /** {@code value} with every object property whose value is null left out. */
    static Object withoutNulls(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() != null) {
                    out.put(e.getKey(), withoutNulls(e.getValue()));
                }
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(withoutNulls(item));
            }
            return out;
        }
        return value;
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
