package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.Turns;
import baton.mcp.ConversationPrompts;
import baton.mcp.ConversationResource;
import baton.mcp.IdentityResolver;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For random conversations and random sequences of appends, shares, re-shares and unshares, a
 * member who is not the owner never receives a message past the boundary that holds: not through
 * read, fork, list, the system prompt or the resource.
 */
class BoundaryPropertyTest {

    private final Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());
    private final ObjectMapper mapper = new ObjectMapper();

    /** One step of the owner's activity. */
    sealed interface Step permits AppendTurns, AppendOpen, Share, Unshare { }

    record AppendTurns(int count) implements Step { }

    record AppendOpen() implements Step { }

    /** Share at the turn end {@code pick} (modulo the number of turn ends), or the latest when negative. */
    record Share(int pick) implements Step { }

    record Unshare() implements Step { }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 3).map(AppendTurns::new),
                Arbitraries.just(new AppendOpen()),
                Arbitraries.integers().between(-1, 20).map(Share::new),
                Arbitraries.just(new Unshare()));
        return step.list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 40)
    void nonOwnerNeverSeesMessagesPastTheBoundary(@ForAll("steps") List<Step> steps) throws Exception {
        String project = Turns.project();
        Identity alice = new Identity("alice", project, Role.EDITOR);
        Identity bob = new Identity("bob", project, Role.EDITOR);
        UUID id = conversations.create(alice, "property").id();
        IdentityResolver asBob = IdentityResolver.fixed(bob);
        var prompt = new ConversationPrompts(conversations, new PromptLibrary(), asBob).specifications().get(1);
        var resource = new ConversationResource(conversations, mapper, asBob).specification();

        List<UUID> turnEnds = new ArrayList<>();
        List<UUID> all = new ArrayList<>();
        Integer boundary = null; // index of the boundary, as the model of the test keeps it
        for (Step step : steps) {
            if (step instanceof AppendTurns t) {
                for (int i = 0; i < t.count(); i++) {
                    List<UUID> ids = conversations.append(alice, id, Turns.turn("q"));
                    all.addAll(ids);
                    turnEnds.add(ids.get(3));
                }
            } else if (step instanceof AppendOpen) {
                all.addAll(conversations.append(alice, id, Turns.openTurn("open")));
            } else if (step instanceof Share s) {
                if (turnEnds.isEmpty()) {
                    continue;
                }
                UUID until = s.pick() < 0 ? null : turnEnds.get(s.pick() % turnEnds.size());
                Conversation shared = conversations.share(alice, id, until);
                UUID expected = until != null ? until : turnEnds.get(turnEnds.size() - 1);
                assertThat(shared.sharedUntilMessageId()).isEqualTo(expected);
                boundary = all.indexOf(expected);
            } else {
                conversations.unshare(alice, id);
                boundary = null;
            }
            checkWhatBobSees(bob, id, all, boundary, prompt, resource);
        }
    }

    private void checkWhatBobSees(Identity bob, UUID id, List<UUID> all, Integer boundary,
            io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification prompt,
            io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification resource)
            throws Exception {
        List<UUID> visible = boundary == null ? List.of() : all.subList(0, boundary + 1);
        List<UUID> hidden = boundary == null ? all : all.subList(boundary + 1, all.size());

        // read, in pages of every size
        if (boundary == null) {
            assertDenied(() -> conversations.read(bob, id, -1, 1000));
            assertDenied(() -> conversations.fork(bob, id, null));
        } else {
            List<UUID> seen = new ArrayList<>();
            Integer after = -1;
            while (after != null) {
                ConversationView page = conversations.read(bob, id, after, 3);
                page.messages().forEach(m -> seen.add(m.id()));
                after = page.nextAfterIndex();
            }
            assertThat(seen).containsExactlyElementsOf(visible);
            assertThat(conversations.read(bob, id, boundary, 1000).messages()).isEmpty();

            // fork: exactly the visible prefix, and no hidden message can be named as its end
            ForkResult fork = conversations.fork(bob, id, null);
            assertThat(fork.copiedMessages()).isEqualTo(visible.size());
            assertThat(fork.conversation().forkedFrom().messageId()).isEqualTo(all.get(boundary));
            for (UUID h : hidden) {
                assertDenied(() -> conversations.fork(bob, id, h));
            }
        }

        // list: metadata only, and the boundary it shows is the current one
        List<Conversation> listed = conversations.list(bob, ListScope.SHARED, 200, null).conversations();
        if (boundary == null) {
            assertThat(listed).isEmpty();
        } else {
            assertThat(listed).singleElement().extracting(Conversation::sharedUntilMessageId)
                    .isEqualTo(all.get(boundary));
        }

        // prompt and resource
        String resourceText;
        try {
            var result = resource.readHandler().apply(null,
                    new McpSchema.ReadResourceRequest("baton://conversations/" + id));
            resourceText = ((McpSchema.TextResourceContents) result.contents().get(0)).text();
            assertThat(boundary).isNotNull();
        } catch (McpError e) {
            assertThat(boundary).isNull();
            resourceText = e.getMessage();
        }
        for (UUID h : hidden) {
            assertThat(resourceText).doesNotContain(h.toString());
        }
        for (UUID v : visible) {
            assertThat(resourceText).contains(v.toString());
        }
        try {
            var result = prompt.promptHandler().apply(null,
                    new McpSchema.GetPromptRequest("system_prompt", Map.of("conversation_id", id.toString())));
            String text = ((McpSchema.TextContent) result.messages().get(0).content()).text();
            for (UUID h : hidden) {
                assertThat(text).doesNotContain(h.toString());
            }
            assertThat(boundary).isNotNull();
        } catch (McpError e) {
            assertThat(boundary).isNull();
        }
    }

    private static void assertDenied(Runnable call) {
        try {
            call.run();
            throw new AssertionError("expected the call to be refused");
        } catch (BatonException e) {
            assertThat(e.code()).isIn(ErrorCode.ACCESS_DENIED, ErrorCode.NOT_FOUND, ErrorCode.NOT_A_TURN_END);
        }
    }
}
