package baton.http;

import java.nio.ByteBuffer;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses, on every path, the HTTP methods Baton does not serve, with 405 and one sentence.
 * TRACE above all: the servlet API answers it by echoing the request, Authorization header
 * included. {@code /mcp} serves GET, POST, DELETE and OPTIONS (the gate answers its preflight);
 * {@code /healthz} GET and HEAD, and OPTIONS here, since the servlet API's own answer would list
 * TRACE; any other path is 404 whatever the method.
 */
final class MethodGuard extends Handler.Wrapper {

    static final String MCP_METHODS = "GET, POST, DELETE, OPTIONS";
    static final String HEALTH_METHODS = "GET, HEAD, OPTIONS";
    private static final String ANY_METHODS = "GET, HEAD, POST, DELETE, OPTIONS";
    private static final Set<String> SERVED = Set.of("GET", "HEAD", "POST", "DELETE", "OPTIONS");

    MethodGuard(Handler handler) {
        super(handler);
    }

    /** The methods a path answers, for the {@code Allow} header of a 405. */
    static String allowed(String path) {
        return switch (path == null ? "" : path) {
            case BatonHttpServer.MCP_PATH -> MCP_METHODS;
            case BatonHttpServer.HEALTH_PATH -> HEALTH_METHODS;
            default -> ANY_METHODS;
        };
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        boolean mcp = BatonHttpServer.MCP_PATH.equals(path);
        if (method.equals("OPTIONS") && !mcp) {
            if (!BatonHttpServer.HEALTH_PATH.equals(path)) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            response.setStatus(204);
            response.getHeaders().put(HttpHeader.ALLOW, HEALTH_METHODS);
            callback.succeeded();
            return true;
        }
        if (SERVED.contains(method) && !(mcp && method.equals("HEAD"))) {
            return super.handle(request, response, callback);
        }
        String shown = method.length() <= 20 ? method : method.substring(0, 20) + "…";
        byte[] body = JsonRpcErrors.body(null, JsonRpcErrors.REFUSED, mcp
                ? "This endpoint does not answer " + shown + "; it answers " + MCP_METHODS + "."
                : "This server does not answer " + shown + " requests.");
        response.setStatus(405);
        response.getHeaders().put(HttpHeader.ALLOW, allowed(path));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JsonRpcErrors.JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
