package baton.web;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page templates under {@code baton/web/templates/}, one per page plus the partials they share.
 * Every {@code {{value}}} is HTML-escaped (quotes and backticks too, so values are safe in
 * attributes); the templates use no triple braces, so nothing a user wrote reaches the page
 * unescaped.
 */
final class Templates {

    private static final String ROOT = "baton/web/templates/";
    private final Mustache.Compiler compiler;
    private final Map<String, Template> compiled = new ConcurrentHashMap<>();

    Templates() {
        this.compiler = Mustache.compiler().escapeHTML(true).nullValue("").emptyStringIsFalse(true)
                .withLoader(name -> new StringReader(read(name)));
        for (String page : new String[] {"conversation", "list", "signin", "problem"}) {
            compiled.put(page, compiler.compile(read(page)));
        }
    }

    void render(String page, Map<String, Object> model, Writer out) {
        Template template = compiled.get(page);
        if (template == null) {
            throw new IllegalArgumentException("no page template " + page);
        }
        template.execute(model, out);
    }

    private static String read(String name) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(ROOT + name + ".mustache")) {
            if (in == null) {
                throw new IllegalStateException("the jar has no template " + name);
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                StringBuilder text = new StringBuilder();
                char[] buffer = new char[8192];
                for (int n; (n = reader.read(buffer)) > 0; ) {
                    text.append(buffer, 0, n);
                }
                return text.toString();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading template " + name, e);
        }
    }
}
