package baton.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The few static files of the pages, from the jar: a fixed list, so no path reaches the class loader. */
final class StaticFiles {

    static final String PREFIX = "/static/";
    private static final Map<String, String> FILES = Map.of(
            "baton.css", "text/css;charset=utf-8",
            "baton.js", "text/javascript;charset=utf-8");

    private StaticFiles() {
    }

    static void serve(String path, HttpServletResponse response) throws IOException {
        String name = path.substring(PREFIX.length());
        String type = FILES.get(name);
        InputStream in = type == null ? null : StaticFiles.class.getClassLoader().getResourceAsStream("baton/web/static/" + name);
        if (in == null) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().write("Not found.");
            return;
        }
        try (in) {
            byte[] body = in.readAllBytes();
            response.setHeader("Cache-Control", "public, max-age=3600");
            response.setContentType(type);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
