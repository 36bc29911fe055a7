package baton.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * RFC 9728 protected resource metadata, at {@code /.well-known/oauth-protected-resource} and
 * {@code /.well-known/oauth-protected-resource/mcp}: which authorization server issues tokens for
 * Baton, its scopes, how to send a token. Public (no token), readable from any origin.
 */
final class ProtectedResourceServlet extends HttpServlet {

    private final transient BearerGate gate;
    private final transient ObjectMapper mapper = new ObjectMapper();

    ProtectedResourceServlet(BearerGate gate) {
        this.gate = gate;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!gate.oauth()) {
            JsonRpcErrors.write(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, null, JsonRpcErrors.REFUSED,
                    "This server is still starting; ask again in a moment.");
            return;
        }
        byte[] body = gate.metadata(mapper);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json");
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Cache-Control", "max-age=300");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
