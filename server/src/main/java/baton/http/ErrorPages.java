package baton.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error Jetty answers by itself (an unknown path, a method a servlet does not serve, a
 * request it cannot parse before any servlet sees it: a malformed request line or header, an
 * over-long URI or header) as one sentence in a JSON-RPC error without id, in place of Jetty's
 * HTML page. Installed on the server and on the servlet context.
 */
final class ErrorPages extends ErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ErrorPages.class);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object attribute = request.getAttribute(ERROR_STATUS);
        if (attribute instanceof Integer code) {
            status = code;
        }
        Throwable cause = request.getAttribute(ERROR_EXCEPTION) instanceof Throwable t ? t : null;
        Object message = request.getAttribute(ERROR_MESSAGE);
        String sentence = sentence(request, status, message instanceof String m ? m : null, cause);
        byte[] body = JsonRpcErrors.body(null, JsonRpcErrors.REFUSED, sentence);
        response.setStatus(status);
        if (status == 405) {
            response.getHeaders().put(HttpHeader.ALLOW, MethodGuard.allowed(path(request)));
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JsonRpcErrors.JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static String sentence(Request request, int status, String message, Throwable cause) {
        return switch (status) {
            case 400 -> "This is not a valid HTTP request" + reason(message, cause) + ".";
            case 404 -> "Nothing is served at " + path(request) + "; MCP is at " + BatonHttpServer.MCP_PATH
                    + " and the health check at " + BatonHttpServer.HEALTH_PATH + ".";
            case 405 -> path(request) + " does not answer " + shorten(request.getMethod()) + ".";
            case 413 -> "The request body is too large for this server.";
            case 414 -> "The request URI is too long for this server.";
            case 431 -> "The request's headers are too large for this server.";
            case 505 -> "This server speaks HTTP/1.1 (and HTTP/1.0) only.";
            case 503 -> "This server is starting or stopping; try again shortly.";
            default -> {
                if (status >= 500) {
                    log.warn("HTTP {} for {} {}: {}", status, request.getMethod(), path(request),
                            cause != null ? cause.toString() : message);
                    yield "The server could not handle this request (HTTP " + status + "); its log has the details.";
                }
                yield "The request was refused (HTTP " + status + ").";
            }
        };
    }

    /** Jetty's own short reason for a request it could not parse ("No Host", "Illegal character …"). */
    private static String reason(String message, Throwable cause) {
        if (message == null || cause != null && message.equals(cause.toString())) {
            return "";
        }
        String plain = message.replaceAll("[^\\x20-\\x7e]", "?");
        if (plain.isBlank() || plain.equalsIgnoreCase("Bad Request") || plain.length() > 80
                || plain.contains("Exception") || plain.contains("java.")) {
            return "";
        }
        return " (" + plain.strip() + ")";
    }

    private static String path(Request request) {
        try {
            return shorten(Request.getPathInContext(request));
        } catch (RuntimeException noPath) {
            return "this path";
        }
    }

    private static String shorten(String value) {
        if (value == null) {
            return "";
        }
        return value.length() <= 80 ? value : value.substring(0, 80) + "…";
    }
}
