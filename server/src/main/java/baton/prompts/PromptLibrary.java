package baton.prompts;

import baton.conversation.Conversation;
import baton.conversation.LostAccess;
import baton.conversation.WithheldReason;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prompt templates of {@code prompts/} (Markdown with Mustache tags), packaged in the jar as
 * resources under {@code prompts/}. This class is the only place prompt text comes from.
 */
public final class PromptLibrary {

    public static final String SYSTEM = "system";
    public static final String FORK_INSTRUCTIONS = "fork_instructions";
    public static final String PERMISSION_HINT = "permission_hint";
    public static final String LOST_ACCESS = "lost_access";

    private final String root;
    private final Mustache.Compiler compiler;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();

    /** Templates from the classpath, under {@code prompts/}. */
    public PromptLibrary() {
        this("prompts/");
    }

    PromptLibrary(String root) {
        this.root = root;
        // Prompts are Markdown, not HTML: no escaping. Unknown variables are errors, so a typo in a
        // template fails the golden tests instead of rendering an empty string.
        this.compiler = Mustache.compiler().escapeHTML(false).strictSections(false).emptyStringIsFalse(true)
                .nullValue("").withLoader(name -> new StringReader(text(name)));
    }

    /** The raw text of a template. */
    public String text(String name) {
        String resource = root + name + ".md";
        try (InputStream in = PromptLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("prompt template " + resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompt template " + resource, e);
        }
    }

    /** Renders a template with the given variables. */
    public String render(String name, Map<String, ?> variables) {
        Template template = templates.computeIfAbsent(name, n -> compiler.compile(text(n)));
        return template.execute(variables);
    }

    /** The fork instructions as the {@code fork_instructions} prompt gives them: no conversation named. */
    public String forkInstructions() {
        Map<String, Object> vars = new HashMap<>();
        vars.put("owner", null);
        vars.put("earlier_owner", null);
        return render(FORK_INSTRUCTIONS, vars);
    }

    /**
     * The system prompt of a conversation: what Baton's own agent runs the model with and what the
     * {@code system_prompt} prompt gives a harness. Cross-owner forks get the fork instructions.
     * Title, owner, earlier owner and project are each {@link QuotedValue quoted on one line}, so a
     * title cannot pose as a section or an instruction of the prompt.
     */
    public String systemPrompt(Conversation conversation) {
        Objects.requireNonNull(conversation, "conversation must not be null");
        Map<String, Object> vars = new HashMap<>();
        vars.put("title", QuotedValue.of(conversation.title()));
        vars.put("owner", QuotedValue.of(conversation.ownerId()));
        vars.put("project", QuotedValue.of(conversation.projectId()));
        vars.put("cross_owner_fork", conversation.isCrossOwnerFork());
        vars.put("earlier_owner", QuotedValue.of(conversation.earlierOwnerId()));
        vars.put("has_lost_access", !conversation.lostAccess().isEmpty());
        vars.put("lost_access", conversation.lostAccess().stream().map(PromptLibrary::lostAccess).toList());
        return render(SYSTEM, vars);
    }

    /**
     * One line of the lost-access section. Tool names and resources come from recorded calls (an
     * earlier owner's or a harness's data), so each is kept to one line without Markdown that could
     * pose as a section or a list of its own.
     */
    private static Map<String, Object> lostAccess(LostAccess lost) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("tool", oneLine(lost.tool()).replace("`", "'"));
        vars.put("resource", lost.resource() == null ? "what the call named" : oneLine(lost.resource()));
        vars.put("reason", lost.reason() == WithheldReason.NOT_FOUND ? "not found for the new owner"
                : "access denied to the new owner");
        return vars;
    }

    /** {@code text} on one line: line breaks and other control characters become spaces, '#' and '`' are dropped. */
    static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
                out.append(' ');
            } else if (cp != '#' && cp != '`') {
                out.appendCodePoint(cp);
            }
        });
        return out.toString().strip();
    }

    /**
     * The permission-loss hint added to a failed tool result in a cross-owner fork.
     *
     * @param resource what the tool was refused, such as {@code dataset 'finance'}
     * @param notFound true when the tool said "not found" for a resource the inherited history used
     */
    public String permissionHint(Conversation conversation, String tool, String resource, boolean notFound) {
        Objects.requireNonNull(conversation, "conversation must not be null");
        Map<String, Object> vars = new HashMap<>();
        vars.put("tool", tool);
        vars.put("resource", resource);
        vars.put("not_found", notFound);
        vars.put("owner", conversation.ownerId());
        vars.put("earlier_owner", conversation.earlierOwnerId() == null ? "the earlier owner" : conversation.earlierOwnerId());
        return render(PERMISSION_HINT, vars).strip();
    }
}
