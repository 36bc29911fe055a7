package baton.http;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Ends one MCP session from inside the server, the way a client's {@code DELETE /mcp} would: the
 * SDK's transport offers no other public way to drop one of its sessions, so this hands it a
 * DELETE request of its own making (no caller, no body), then forgets the session everywhere
 * else this instance remembers it ({@code forget}).
 */
final class SessionCloser implements SessionLimits.Closer {

    private final HttpServlet transport;
    private final String path;
    private final Consumer<String> forget;

    SessionCloser(HttpServlet transport, String path, Consumer<String> forget) {
        this.transport = transport;
        this.path = path;
        this.forget = forget;
    }

    @Override
    public void close(String sessionId) {
        try {
            transport.service(deleteOf(sessionId), discarded());
        } catch (ServletException | IOException | RuntimeException e) {
            // the transport may have dropped it already (its own close, a shutdown): forgetting it is what counts
        } finally {
            forget.accept(sessionId);
        }
    }

    private HttpServletRequest deleteOf(String sessionId) {
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "DELETE";
                    case "getRequestURI", "getServletPath" -> path;
                    case "getContextPath" -> "";
                    case "getRequestURL" -> new StringBuffer("http://localhost" + path);
                    case "getProtocol" -> "HTTP/1.1";
                    case "getScheme" -> "http";
                    case "getDispatcherType" -> DispatcherType.REQUEST;
                    case "getHeader" -> RequestGate.SESSION_HEADER.equalsIgnoreCase((String) args[0]) ? sessionId : null;
                    case "getHeaders" -> Collections.enumeration(
                            RequestGate.SESSION_HEADER.equalsIgnoreCase((String) args[0]) ? List.of(sessionId) : List.of());
                    case "getHeaderNames" -> Collections.enumeration(List.of(RequestGate.SESSION_HEADER));
                    case "getAttributeNames" -> Collections.emptyEnumeration();
                    case "toString" -> "DELETE " + path + " (closing session)";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> zero(method.getReturnType());
                });
    }

    private HttpServletResponse discarded() {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getWriter" -> nowhere;
                    case "getCharacterEncoding" -> "UTF-8";
                    case "toString" -> "discarded response";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> zero(method.getReturnType());
                });
    }

    private static Object zero(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
