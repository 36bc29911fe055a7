package baton.reliability;

import baton.mcp.ToolSpecs;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Tool calls made from each tool's input schema in tools-spec/: often well-formed, with ids that
 * are the caller's own, another member's unshared, another project's, random or malformed; and
 * garbage in every place — wrong types, huge strings, control characters, unknown keys, nested
 * junk, missing required arguments, unknown tools.
 */
final class BadArguments {

    static final List<String> TOOLS = List.of("create_conversation", "append_messages", "read_conversation",
            "list_conversations", "share_conversation", "unshare_conversation", "fork_conversation", "send_message",
            "conversation_activity", "conversation_lineage", "rename_conversation");

    /** One generated call: a tool name and its arguments (null: no arguments at all). */
    record Call(String tool, Map<String, Object> arguments) {
        @Override
        public String toString() {
            String args = String.valueOf(arguments);
            return tool + " " + (args.length() > 400 ? args.substring(0, 400) + "…(" + args.length() + " chars)" : args);
        }
    }

    private final ToolSpecs specs = new ToolSpecs(new ObjectMapper());
    private final List<String> ids;

    /** @param ids ids worth trying: the caller's own, others' and another project's conversations and messages */
    BadArguments(List<String> ids) {
        this.ids = ids;
    }

    Arbitrary<Call> calls() {
        List<Tuple.Tuple2<Integer, Arbitrary<Call>>> perTool = new ArrayList<>();
        for (String tool : TOOLS) {
            // append_messages has the most to get wrong
            perTool.add(Tuple.of(tool.equals("append_messages") ? 3 : 1,
                    arguments(specs.tool(tool).inputSchema()).map(args -> new Call(tool, args))));
        }
        Arbitrary<Call> known = Arbitraries.frequencyOf(perTool.toArray(Tuple.Tuple2[]::new));
        Arbitrary<Call> unknown = Arbitraries.of("drop_conversation", "", "READ_CONVERSATION", "read_conversation ",
                "../append_messages").map(name -> new Call(name, Map.of("conversation_id", ids.get(0))));
        Arbitrary<Call> bare = Arbitraries.of(TOOLS).map(name -> new Call(name, null));
        // well-formed turns with generated content, appended to the caller's own conversation
        Arbitrary<Call> turns = Combinators.combine(strings(), strings()).as((question, tool) -> {
            List<Map<String, Object>> turn = new ArrayList<>(Batches.turn(question));
            turn.get(1).put("tool", tool);
            return new Call("append_messages", Map.of("conversation_id", ids.get(0), "messages", turn));
        });
        return Arbitraries.frequencyOf(Tuple.of(18, known), Tuple.of(3, turns), Tuple.of(1, unknown),
                Tuple.of(1, bare));
    }

    /** An object for {@code schema}: each property present or not, well-formed or not, and maybe junk keys. */
    @SuppressWarnings("unchecked")
    private Arbitrary<Map<String, Object>> arguments(Map<String, Object> schema) {
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) schema.getOrDefault(
                "properties", Map.of());
        List<String> required = (List<String>) schema.getOrDefault("required", List.of());
        List<Arbitrary<Object[]>> entries = new ArrayList<>();
        for (var property : properties.entrySet()) {
            int keep = required.contains(property.getKey()) ? 19 : 1;
            Arbitrary<Object> value = value(property.getKey(), property.getValue());
            entries.add(Arbitraries.frequencyOf(Tuple.of(keep, value.map(v -> new Object[] {property.getKey(), v})),
                    Tuple.of(1, Arbitraries.just(new Object[0]))));
        }
        entries.add(Arbitraries.frequencyOf(Tuple.of(15, Arbitraries.just(new Object[0])),
                Tuple.of(1, Combinators.combine(strings(), junk()).as((k, v) -> new Object[] {k, v}))));
        return Combinators.combine(entries).as(pairs -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Object[] pair : pairs) {
                if (pair.length == 2) {
                    out.put((String) pair[0], pair[1]);
                }
            }
            return out;
        });
    }

    @SuppressWarnings("unchecked")
    private Arbitrary<Object> value(String name, Map<String, Object> schema) {
        Arbitrary<Object> wellFormed;
        if (name.equals("id") || name.endsWith("_id")) {
            wellFormed = ids();
        } else if (schema.containsKey("enum")) {
            wellFormed = Arbitraries.of((List<Object>) schema.get("enum"));
        } else if ("integer".equals(schema.get("type"))) {
            wellFormed = Arbitraries.oneOf(Arbitraries.integers().between(-3, 1003).map(i -> (Object) i),
                    Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE));
        } else if ("array".equals(schema.get("type"))) {
            Arbitrary<Object> item = arguments((Map<String, Object>) schema.get("items")).map(m -> (Object) m);
            wellFormed = Arbitraries.frequencyOf(Tuple.of(20, item.list().ofMaxSize(4).map(l -> (Object) l)),
                    Tuple.of(1, Arbitraries.just(Batches.turns(251, "too many"))));
        } else {
            wellFormed = strings().map(s -> (Object) s);
        }
        Arbitrary<Object> wrong = Arbitraries.oneOf(junk(), strings().map(s -> (Object) s));
        return Arbitraries.frequencyOf(Tuple.of(8, wellFormed), Tuple.of(1, wrong));
    }

    /** Ids worth trying, and strings that look almost like one. */
    private Arbitrary<Object> ids() {
        Arbitrary<String> known = Arbitraries.of(ids);
        Arbitrary<String> bent = known.map(id -> switch (id.hashCode() & 3) {
            case 0 -> id.toUpperCase(Locale.ROOT);
            case 1 -> "{" + id + "}";
            case 2 -> id.substring(1);
            default -> " " + id;
        });
        Arbitrary<String> random = Arbitraries.create(() -> UUID.randomUUID().toString());
        return Arbitraries.frequencyOf(Tuple.of(6, known), Tuple.of(2, random), Tuple.of(2, bent),
                Tuple.of(1, Arbitraries.of("1-2-3-4-5", "00000000-0000-0000-0000-000000000000", "")))
                .map(s -> (Object) s);
    }

    /** Text of every kind, none of it with words that failures must not contain (so an echo is no leak). */
    static Arbitrary<String> strings() {
        Arbitrary<String> words = Arbitraries.strings().ofMaxLength(40)
                .filter(s -> Outcome.FORBIDDEN.stream().noneMatch(s::contains));
        Arbitrary<String> special = Arbitraries.of("", " ", "hello", "héllo wörld 🎉 مرحبا", "\u0000", "a\u0000b",
                "\u0001\u001f\u007f", "\ud800", "\udfff\ud800", "'; drop table messages; --", "\" or 1=1 --",
                "{\"json\": ", "[]", "null", "%00%27", "\\u0000", "\r\n\r\n", "router_agent", "x".repeat(501));
        Arbitrary<String> huge = Arbitraries.of(10_000, 1024 * 1024 + 1).map(n -> "z".repeat(n));
        return Arbitraries.frequencyOf(Tuple.of(10, words), Tuple.of(10, special), Tuple.of(1, huge));
    }

    /** Values of the wrong type, and deep nesting. */
    static Arbitrary<Object> junk() {
        Map<String, Object> deep = new LinkedHashMap<>();
        Map<String, Object> level = deep;
        for (int i = 0; i < 60; i++) {
            Map<String, Object> inner = new LinkedHashMap<>();
            level.put("a", inner);
            level = inner;
        }
        return Arbitraries.<Object>of(true, false, 0, -1, 42, 1.5, -0.0, 1e300, List.of(), List.of("x", 1, false), Map.of(),
                Map.of("role", "user"), deep).injectNull(0.1);
    }
}
