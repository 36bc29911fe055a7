package baton.http;

import baton.conversation.BatonException;
import baton.db.Database;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * {@code GET /healthz}: 200 when the database answers a query, 503 with the reason when it does
 * not. Needs no token (load balancers and orchestrators call it) and tells nothing about the data.
 */
final class HealthServlet extends HttpServlet {

    private final transient Database database;

    HealthServlet(Database database) {
        this.database = database;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String body;
        try {
            database.read("checking health", c -> {
                try (PreparedStatement ps = c.prepareStatement("select 1"); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            response.setStatus(HttpServletResponse.SC_OK);
            body = "{\"status\":\"ok\"}";
        } catch (BatonException e) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            body = "{\"status\":\"unavailable\",\"error\":" + quote(e.getMessage()) + "}";
        }
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static String quote(String s) {
        return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
    }
}
