package baton.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How many JSON values, and how deeply nested, one message may hold: checked while its bytes
 * arrive, with a streaming parser that builds nothing, so a body of a million tiny values is
 * refused after the first {@code maxValues} of them instead of becoming a tree of a million nodes
 * (and then again the SDK's own). Syntax errors are not this class's business: on one the scan
 * stops and the message's real reader reports it with line and column.
 *
 * @param maxValues the most values (objects, arrays, strings, numbers, booleans, nulls) a message holds
 * @param maxDepth the deepest nesting of objects and arrays
 */
public record JsonBudget(int maxValues, int maxDepth) {

    /** A large append (hundreds of messages with their tool calls) is a few tens of thousands. */
    public static final int DEFAULT_MAX_VALUES = 200_000;
    /** MCP messages nest a dozen levels; tool arguments built from JSON Schemas a few more. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE).maxNestingDepth(Integer.MAX_VALUE).build())
            .build();

    public JsonBudget {
        if (maxValues < 100) {
            throw new IllegalArgumentException("maxValues must be at least 100, not " + maxValues);
        }
        if (maxDepth < 8) {
            throw new IllegalArgumentException("maxDepth must be at least 8, not " + maxDepth);
        }
    }

    public static JsonBudget defaults() {
        return new JsonBudget(DEFAULT_MAX_VALUES, DEFAULT_MAX_DEPTH);
    }

    /** A scan of one message fed in pieces; {@code what} names it in the sentence ("the request body", "the line"). */
    public Scan scan(String what) {
        return new Scan(what);
    }

    /** The sentence refusing {@code bytes} (UTF-8), or null when they are within this budget. */
    public String check(byte[] bytes, int offset, int length, String what) {
        Scan scan = scan(what);
        String problem = scan.feed(bytes, offset, length);
        return problem != null ? problem : scan.end();
    }

    /** One message's scan: feed it what arrives; the first sentence returned is the refusal. */
    public final class Scan {

        private final String what;
        private final JsonParser parser;
        private final ByteArrayFeeder feeder;
        private long values;
        private int depth;
        private boolean stopped;
        private boolean idNext;
        private Object id;

        private Scan(String what) {
            this.what = what;
            try {
                this.parser = FACTORY.createNonBlockingByteArrayParser();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
        }

        /** Counts what {@code bytes} complete; the refusal once over the budget, else null. The bytes are not kept. */
        public String feed(byte[] bytes, int offset, int length) {
            if (stopped || length == 0) {
                return null;
            }
            try {
                feeder.feedInput(bytes, offset, offset + length);
                return drain();
            } catch (IOException malformed) {
                stopped = true; // the real reader says where the JSON is wrong
                return null;
            }
        }

        /** The refusal for what the end of the input completes, else null. */
        public String end() {
            if (stopped) {
                return null;
            }
            feeder.endOfInput();
            try {
                return drain();
            } catch (IOException malformed) {
                return null;
            } finally {
                stopped = true;
            }
        }

        public long values() {
            return values;
        }

        /**
         * The message's JSON-RPC id (a String or a Long) when it came before the refusal, at the
         * top level; else null. A refusal that knows it answers that request, not the whole exchange.
         */
        public Object id() {
            return id;
        }

        private String drain() throws IOException {
            for (JsonToken token; (token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE; ) {
                if (idNext) {
                    idNext = false;
                    if (token == JsonToken.VALUE_STRING) {
                        id = parser.getText();
                    } else if (token == JsonToken.VALUE_NUMBER_INT) {
                        id = parser.getLongValue();
                    }
                }
                switch (token) {
                    case START_OBJECT, START_ARRAY -> {
                        values++;
                        if (++depth > maxDepth) {
                            stopped = true;
                            return capitalized(what) + " nests JSON deeper than " + maxDepth
                                    + " levels; this server reads at most " + maxDepth + ".";
                        }
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME -> idNext = depth == 1 && "id".equals(parser.currentName());
                    default -> values++;
                }
                if (values > maxValues) {
                    stopped = true;
                    return capitalized(what) + " holds more than " + maxValues
                            + " JSON values; this server reads at most " + maxValues + " per message.";
                }
            }
            return null;
        }
    }

    private static String capitalized(String what) {
        return what.isEmpty() ? what : Character.toUpperCase(what.charAt(0)) + what.substring(1);
    }
}
