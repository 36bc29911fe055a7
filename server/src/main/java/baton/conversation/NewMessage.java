package baton.conversation;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;
import java.util.UUID;

/**
 * A message to append. {@code id} is optional: a caller that names its own ids can refer to them
 * as parents within the same batch and retry a batch without duplicating it.
 */
public record NewMessage(
        UUID id,
        MessageRole role,
        MessageType type,
        String tool,
        UUID parentId,
        ContentType contentType,
        String content) {

    /** Largest content of one message, in UTF-8 bytes. */
    public static final int MAX_CONTENT_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    public NewMessage {
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(type, "type must not be null");
        tool = tool == null ? "" : tool;
        contentType = contentType == null ? ContentType.TEXT : contentType;
        Objects.requireNonNull(content, "content must not be null");
        if (tool.length() > 200) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "tool must be at most 200 characters.");
        }
    }

    /** Content size in UTF-8 bytes, counted without building the byte array. */
    public long contentBytes() {
        return utf8Length(content);
    }

    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Same message as a stored one, as far as an idempotent retry is concerned. */
    boolean sameAs(Message stored) {
        return stored.role() == role && stored.type() == type && stored.tool().equals(tool)
                && Objects.equals(stored.parentId(), parentId) && stored.contentType() == contentType
                && stored.content().equals(content);
    }

    /** Whether {@code text} is one JSON document, as content of content_type json must be. */
    public static boolean isJson(String text) {
        return jsonProblem(text) == null;
    }

    /**
     * Why {@code text} is not one JSON document the store takes, as the end of a sentence ("is not
     * valid JSON (line 1, column 7)", "nests deeper than 1000 levels"), or null when it is one.
     */
    static String jsonProblem(String text) {
        try (JsonParser parser = JSON.createParser(text)) {
            JSON.readTree(parser);
            if (parser.nextToken() != null) {
                return "holds more than one JSON value" + where(parser.currentTokenLocation());
            }
            return null;
        } catch (StreamConstraintsException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("nesting depth")) {
                return "nests deeper than " + JSON.getFactory().streamReadConstraints().getMaxNestingDepth() + " levels";
            }
            if (m.contains("Number value length")) {
                return "holds a number of over " + JSON.getFactory().streamReadConstraints().getMaxNumberLength() + " digits";
            }
            return "is a JSON document larger than Baton reads";
        } catch (JsonProcessingException e) {
            return "is not valid JSON" + where(e.getLocation());
        } catch (IOException e) {
            return "is not valid JSON";
        }
    }

    private static String where(JsonLocation at) {
        return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
