package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.agent.HistoryConverter;
import baton.mcp.ConversationPrompts;
import baton.mcp.ConversationResource;
import baton.mcp.IdentityResolver;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For random conversations over random resources, random grants per reader, random tool-results
 * policies and re-shares: a reader who is neither owner nor admin never receives the recorded
 * content of a tool result, or of an answer derived from one, that the policy does not let them
 * obtain, through any route (read in pages, the whole view, the resource, the system prompt, a
 * fork and the model's history of that fork); owners and admins always get everything; ids and
 * indexes are never changed.
 *
 * <p>Every tool result holds a secret naming its resource ({@code SECRET-r3-…}), and every answer
 * and assistant text of a turn holds the secrets of that turn's results. The upstream is played
 * by a grant table behind the {@link Entitlements} port (the warehouse fixture, against a real
 * upstream, is in EntitlementsTest and the end-to-end suites).
 */
class WithheldPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET = Pattern.compile("SECRET-(r\\d)-[0-9a-f]{8}");
    private static final int RESOURCES = 5;

    /** A tool call of a turn: its resource, or -1 for arguments that are not JSON. */
    record Turn(List<Integer> calls, boolean assistantText) { }

    sealed interface Step permits AppendTurns, Share, Unshare { }

    record AppendTurns(List<Turn> turns) implements Step { }

    record Share(int pick, ToolResultsPolicy policy) implements Step { }

    record Unshare() implements Step { }

    /** Grants of the upstream: which resources each reader may obtain. */
    record Grants(Map<String, Set<String>> byUser) implements Entitlements {
        @Override
        public Map<RecordedCall, Entitlement> check(Identity reader, Collection<RecordedCall> calls) {
            Map<RecordedCall, Entitlement> out = new HashMap<>();
            for (RecordedCall call : calls) {
                String resource = null;
                try {
                    JsonNode args = JSON.readTree(call.arguments());
                    resource = args != null && args.path("resource").isTextual() ? args.path("resource").asText() : null;
                } catch (Exception e) {
                    // not JSON: cannot be re-run
                }
                if (resource == null) {
                    out.put(call, Entitlement.unchecked());
                } else if (byUser.getOrDefault(reader.userId(), Set.of()).contains(resource)) {
                    out.put(call, Entitlement.granted());
                } else {
                    out.put(call, new Entitlement(WithheldReason.ACCESS_DENIED, "resource '" + resource + "'"));
                }
            }
            return out;
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Turn> turn = Combinators.combine(
                Arbitraries.integers().between(-1, RESOURCES - 1).list().ofMaxSize(3),
                Arbitraries.of(true, false)).as(Turn::new);
        Arbitrary<Step> step = Arbitraries.oneOf(
                turn.list().ofMinSize(1).ofMaxSize(3).map(AppendTurns::new),
                Combinators.combine(Arbitraries.integers().between(-1, 9), Arbitraries.of(ToolResultsPolicy.class))
                        .as(Share::new),
                Arbitraries.just(new Unshare()));
        return step.list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<Set<String>> grants() {
        return Arbitraries.integers().between(0, RESOURCES - 1).map(i -> "r" + i).set().ofMaxSize(RESOURCES);
    }

    @Property(tries = 40)
    void readersNeverGetWhatTheyMayNotObtain(@ForAll("steps") List<Step> steps, @ForAll("grants") Set<String> bobs,
            @ForAll("grants") Set<String> carols) throws Exception {
        Grants grants = new Grants(Map.of("bob", bobs, "carol", carols));
        Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC(), grants,
                ToolResultsPolicy.CHECKED);
        String project = "withheld-" + UUID.randomUUID();
        Identity alice = new Identity("alice", project, Role.EDITOR);
        Identity admin = new Identity("dana", project, Role.ADMIN);
        List<Identity> readers = List.of(new Identity("bob", project, Role.EDITOR),
                new Identity("carol", project, Role.EDITOR));
        UUID id = conversations.create(alice, "property").id();
        List<UUID> turnEnds = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        ToolResultsPolicy policy = null;
        boolean shared = false;

        for (Step step : steps) {
            if (step instanceof AppendTurns a) {
                for (Turn t : a.turns()) {
                    List<NewMessage> batch = turn(t);
                    List<UUID> ids = conversations.append(alice, id, batch);
                    turnEnds.add(ids.get(ids.size() - 1));
                    batch.forEach(m -> recorded.add(m.content()));
                }
            } else if (step instanceof Share s) {
                if (turnEnds.isEmpty()) {
                    continue;
                }
                UUID until = s.pick() < 0 ? null : turnEnds.get(s.pick() % turnEnds.size());
                policy = conversations.share(alice, id, until, s.policy()).sharedToolResults();
                assertThat(policy).isEqualTo(s.policy());
                shared = true;
            } else {
                conversations.unshare(alice, id);
                shared = false;
            }

            // owners and admins get everything, as recorded
            List<Message> whole = conversations.readAll(alice, id).messages();
            assertThat(whole).extracting(Message::content).containsExactlyElementsOf(recorded);
            assertThat(conversations.readAll(admin, id).messages()).isEqualTo(whole);
            if (!shared) {
                continue;
            }
            for (Identity reader : readers) {
                Set<String> granted = grants.byUser().get(reader.userId());
                ToolResultsPolicy p = policy;
                List<String> received = new ArrayList<>();

                List<Message> seen = conversations.readAll(reader, id).messages();
                for (int i = 0; i < seen.size(); i++) {
                    Message m = seen.get(i);
                    Message o = whole.get(i);
                    assertThat(m).usingRecursiveComparison().ignoringFields("contentType", "content").isEqualTo(o);
                    if (m.contentType() != ContentType.WITHHELD) {
                        assertThat(m.content()).isEqualTo(o.content());
                    }
                    received.add(m.content());
                }
                // in pages
                Integer after = -1;
                List<Message> paged = new ArrayList<>();
                while (after != null) {
                    ConversationView page = conversations.read(reader, id, after, 3);
                    paged.addAll(page.messages());
                    after = page.nextAfterIndex();
                }
                assertThat(paged).isEqualTo(seen);
                // the resource and the system prompt
                IdentityResolver as = IdentityResolver.fixed(reader);
                var resource = new ConversationResource(conversations, JSON, as).specification();
                var read = resource.readHandler().apply(null, new McpSchema.ReadResourceRequest("baton://conversations/" + id));
                received.add(((McpSchema.TextResourceContents) read.contents().get(0)).text());
                var prompt = new ConversationPrompts(conversations, new PromptLibrary(), as).specifications().get(1);
                var got = prompt.promptHandler().apply(null,
                        new McpSchema.GetPromptRequest("system_prompt", Map.of("conversation_id", id.toString())));
                received.add(((McpSchema.TextContent) got.messages().get(0).content()).text());
                // a fork, what its new owner reads of it, and the history its model gets
                ForkResult fork = conversations.fork(reader, id, null);
                List<Message> copy = conversations.readAll(reader, fork.conversation().id()).messages();
                assertThat(copy).extracting(Message::index).containsExactlyElementsOf(
                        seen.subList(0, copy.size()).stream().map(Message::index).toList());
                assertThat(copy).extracting(Message::content).containsExactlyElementsOf(
                        seen.subList(0, copy.size()).stream().map(Message::content).toList());
                copy.forEach(m -> received.add(m.content()));
                new HistoryConverter().convert(copy).forEach(chat -> received.add(chat.toString()));
                var forkPrompt = prompt.promptHandler().apply(null, new McpSchema.GetPromptRequest("system_prompt",
                        Map.of("conversation_id", fork.conversation().id().toString())));
                received.add(((McpSchema.TextContent) forkPrompt.messages().get(0).content()).text());

                for (String text : received) {
                    Matcher secret = SECRET.matcher(text);
                    while (secret.find()) {
                        assertThat(p == ToolResultsPolicy.ALL || p == ToolResultsPolicy.CHECKED
                                && granted.contains(secret.group(1)))
                                .as("%s received %s under %s with grants %s", reader.userId(), secret.group(), p, granted)
                                .isTrue();
                    }
                }
            }
        }
    }

    /** A turn: the question, its calls and results (secrets), maybe assistant text, the answer (all secrets). */
    private static List<NewMessage> turn(Turn t) {
        UUID root = UUID.randomUUID();
        List<NewMessage> out = new ArrayList<>();
        out.add(new NewMessage(root, MessageRole.USER, MessageType.CALL, Message.ROUTER_AGENT, null, ContentType.TEXT,
                "a question"));
        StringBuilder secrets = new StringBuilder();
        for (int r : t.calls()) {
            String resource = "r" + (r < 0 ? 0 : r);
            UUID call = UUID.randomUUID();
            String arguments = r < 0 ? "resource=" + resource : "{\"resource\":\"" + resource + "\"}";
            out.add(new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, "query", root,
                    r < 0 ? ContentType.TEXT : ContentType.JSON, arguments));
            String secret = "SECRET-" + resource + "-" + UUID.randomUUID().toString().substring(0, 8);
            secrets.append(secret).append(' ');
            out.add(new NewMessage(UUID.randomUUID(), MessageRole.TOOL, MessageType.RESULT, "query", call,
                    ContentType.TEXT, "rows of " + secret));
        }
        if (t.assistantText()) {
            out.add(new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.PROGRESS, Message.ROUTER_AGENT,
                    root, ContentType.TEXT, "thinking about " + secrets));
        }
        out.add(new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null,
                ContentType.TEXT, "the answer: " + secrets));
        return out;
    }
}
