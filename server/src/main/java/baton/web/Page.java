package baton.web;

import baton.auth.WebSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One request to the pages and its answer: who asked (their session, if any), the nonce of the
 * answer's CSP, the common parts of every page's model, and the answers every page may give
 * (a rendered template, a redirect, "not found", "refused").
 */
final class Page {

    final HttpServletRequest request;
    final HttpServletResponse response;
    final Optional<WebSessions.Session> session;
    private final String nonce;
    private final Templates templates;

    Page(HttpServletRequest request, HttpServletResponse response, String nonce, Optional<WebSessions.Session> session,
            Templates templates) {
        this.request = request;
        this.response = response;
        this.nonce = nonce;
        this.session = session;
        this.templates = templates;
    }

    Map<String, Object> model(String title) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("page_title", title);
        model.put("nonce", nonce);
        model.put("signed_in", session.isPresent());
        session.ifPresent(s -> {
            model.put("user", s.identity().userId());
            model.put("project", s.identity().projectId());
            model.put("role", s.identity().role().wireName());
            model.put("csrf", s.csrfToken());
        });
        return model;
    }

    /** Renders the whole page first, so its length is known and a failure never leaves half a page. */
    void render(int status, String template, Map<String, Object> model) throws IOException {
        StringWriter html = new StringWriter(16 * 1024);
        templates.render(template, model, html);
        byte[] body = html.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/html;charset=utf-8");
        response.setContentLength(body.length);
        if (!request.getMethod().equals("HEAD")) {
            response.getOutputStream().write(body);
        }
    }

    void problem(int status, String heading, String sentence) throws IOException {
        Map<String, Object> model = model(heading);
        model.put("heading", heading);
        model.put("sentence", sentence);
        render(status, "problem", model);
    }

    /** The one answer for anything the person may not see: missing, of another project, not shared. */
    void notFound() throws IOException {
        problem(HttpServletResponse.SC_NOT_FOUND, "Not found",
                "There is nothing here that you may see. It may not exist, or it is not shared with you.");
    }

    void refused() throws IOException {
        problem(HttpServletResponse.SC_FORBIDDEN, "Refused",
                "This form was not sent from a page of this site signed in as you (its security token is missing or"
                        + " does not match); reload the page and try again.");
    }

    void redirect(String localPath) {
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", localPath);
    }

    /** Whether the form carries this session's CSRF token. */
    boolean csrfOk() {
        return session.isPresent() && WebSessions.csrfMatches(session.get(), request.getParameter("csrf"));
    }

    String cookie(String name) {
        return Cookies.get(request, name);
    }
}
