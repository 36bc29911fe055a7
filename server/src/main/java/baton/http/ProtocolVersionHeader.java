package baton.http;

import io.modelcontextprotocol.spec.ProtocolVersions;
import java.util.List;

/**
 * The {@code MCP-Protocol-Version} header a client sends after initialize
 * (https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#protocol-version-header):
 * a version this server does not speak is refused with 400; a request without the header is taken
 * as 2025-03-26, as the rules ask. The initialize request itself is not checked, because the
 * version is what it negotiates.
 */
final class ProtocolVersionHeader {

    static final String NAME = "MCP-Protocol-Version";
    /** The versions the SDK's Streamable HTTP transport negotiates (a test keeps the two in step). */
    static final List<String> SUPPORTED = List.of(ProtocolVersions.MCP_2025_03_26,
            ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);

    private ProtocolVersionHeader() {
    }

    /** The sentence refusing {@code value}, or null when it is absent or supported. */
    static String refusal(String value) {
        if (value == null || SUPPORTED.contains(value.strip())) {
            return null;
        }
        String shown = value.length() <= 40 ? value : value.substring(0, 40) + "…";
        return "MCP-Protocol-Version '" + shown + "' is not supported; this server speaks "
                + String.join(", ", SUPPORTED) + ".";
    }
}
