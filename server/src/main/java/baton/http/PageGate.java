package baton.http;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The pages for people behind the same Host and Origin checks as {@code /mcp} (the DNS-rebinding
 * check, and no other site's page may post to them): a refusal is 403 with one sentence as text.
 * Everything else (sessions, CSRF, CSP) is the pages' own business.
 */
final class PageGate extends HttpServlet {

    private final OriginPolicy origins;
    private final HttpServlet pages;

    PageGate(OriginPolicy origins, HttpServlet pages) {
        this.origins = origins;
        this.pages = pages;
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        pages.init(config);
    }

    @Override
    public void destroy() {
        pages.destroy();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        String refusal = origins.checkHost(request.getHeader("Host"));
        if (refusal == null) {
            refusal = origins.checkOrigin(request.getHeader("Origin"));
        }
        if (refusal != null) {
            byte[] body = refusal.getBytes(StandardCharsets.UTF_8);
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            response.setContentType("text/plain;charset=utf-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            return;
        }
        pages.service(request, response);
    }
}
