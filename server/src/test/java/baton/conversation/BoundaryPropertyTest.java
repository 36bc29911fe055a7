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
import baton.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For random conversations and random sequences of appends, shares, re-shares (with random
 * audiences, expiries and live follow), unshares, deletes and the passing of time, a member who is
 * not the owner never receives a message past the boundary that holds, a member outside the
 * audience, a reader after the expiry or anyone after a delete never receives a message at all: not
 * through read, fork, list, completions, the system prompt or the resource.
 */
class BoundaryPropertyTest {

    private static final Instant START = Instant.parse("2032-01-01T00:00:00Z");
    private static final List<String> READERS = List.of("bob", "carol");

    private final ManualClock clock = new ManualClock(START);
    private final Conversations conversations = new Conversations(TestDatabase.database(), clock);
    private final ObjectMapper mapper = new ObjectMapper();

    /** One step of the owner's activity. */
    sealed interface Step permits AppendTurns, AppendOpen, Share, Unshare, Wait, Delete { }

    record AppendTurns(int count) implements Step { }

    record AppendOpen() implements Step { }

    /**
     * Share at the turn end {@code pick} (modulo the number of turn ends), or the latest when
     * negative; or, when {@code follow}, every turn end to come. {@code withUsers} null is the
     * whole project; {@code expiresIn} null is no expiry.
     */
    record Share(int pick, List<String> withUsers, Long expiresIn, boolean follow) implements Step { }

    record Unshare() implements Step { }

    /** Time passes. */
    record Wait(int seconds) implements Step { }

    /** The owner deletes the conversation; every later step of hers is refused as not found. */
    record Delete() implements Step { }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 3).map(AppendTurns::new),
                Arbitraries.just(new AppendOpen()),
                Combinators.combine(Arbitraries.integers().between(-1, 20),
                        Arbitraries.of(Arrays.asList(null, List.of("bob"), List.of("carol"), List.of("bob", "carol"),
                                List.of("dave"))),
                        Arbitraries.of(Arrays.asList(null, 60L, 120L, 600L)),
                        Arbitraries.of(false, false, true)).as(Share::new),
                Arbitraries.just(new Unshare()),
                Arbitraries.integers().between(1, 200).map(Wait::new),
                Arbitraries.just(new Delete()));
        return step.list().ofMinSize(1).ofMaxSize(10);
    }

    @Property(tries = 40)
    void nonOwnerNeverSeesMessagesPastTheBoundary(@ForAll("steps") List<Step> steps) throws Exception {
        String project = Turns.project();
        Identity alice = new Identity("alice", project, Role.EDITOR);
        UUID id = conversations.create(alice, "property").id();

        List<UUID> turnEnds = new ArrayList<>();
        List<UUID> all = new ArrayList<>();
        // the share, as the model of the test keeps it
        Integer boundary = null; // index of the pinned boundary; null when not shared
        List<String> audience = null;
        Instant expiresAt = null;
        boolean follows = false;
        boolean deleted = false;
        boolean openTurnLast = false;
        for (Step step : steps) {
            if (deleted) {
                // gone for everyone, the owner included, whatever she tries
                assertNotFound(() -> conversations.read(alice, id, -1, 10));
                assertNotFound(() -> conversations.append(alice, id, Turns.turn("after")));
                assertNotFound(() -> conversations.shareOn(alice, id, new ShareRequest(null, null, null, false)));
                assertNotFound(() -> conversations.unshare(alice, id));
                assertNotFound(() -> conversations.delete(alice, id));
            } else if (step instanceof Delete) {
                try {
                    conversations.delete(alice, id);
                    deleted = true;
                    boundary = null;
                } catch (BatonException e) {
                    // refused only while a turn runs (recently begun and not ended), changing nothing
                    assertThat(e.code()).isEqualTo(ErrorCode.TURN_IN_PROGRESS);
                    assertThat(openTurnLast).isTrue();
                }
            } else if (step instanceof AppendTurns t) {
                openTurnLast = false;
                for (int i = 0; i < t.count(); i++) {
                    List<UUID> ids = conversations.append(alice, id, Turns.turn("q"));
                    all.addAll(ids);
                    turnEnds.add(ids.get(3));
                }
            } else if (step instanceof AppendOpen) {
                openTurnLast = true;
                all.addAll(conversations.append(alice, id, Turns.openTurn("open")));
            } else if (step instanceof Share s) {
                if (turnEnds.isEmpty()) {
                    continue;
                }
                UUID until = s.pick() < 0 || s.follow() ? null : turnEnds.get(s.pick() % turnEnds.size());
                Conversation shared = conversations.shareOn(alice, id,
                        new ShareRequest(until, s.withUsers(), s.expiresIn(), s.follow()));
                UUID expected = until != null ? until : turnEnds.get(turnEnds.size() - 1);
                assertThat(shared.sharedUntilMessageId()).isEqualTo(expected);
                boundary = all.indexOf(expected);
                audience = s.withUsers();
                expiresAt = s.expiresIn() == null ? null : clock.instant().plusSeconds(s.expiresIn());
                follows = s.follow();
            } else if (step instanceof Wait w) {
                clock.advance(Duration.ofSeconds(w.seconds()));
            } else if (step instanceof Unshare) {
                conversations.unshare(alice, id);
                boundary = null;
            }
            for (String name : READERS) {
                Identity reader = new Identity(name, project, Role.EDITOR);
                boolean mayRead = boundary != null && (audience == null || audience.contains(name))
                        && (expiresAt == null || clock.instant().isBefore(expiresAt));
                Integer visibleUntil = !mayRead ? null
                        : follows ? all.indexOf(turnEnds.get(turnEnds.size() - 1)) : boundary;
                checkWhatTheReaderSees(reader, id, all, visibleUntil);
            }
        }
    }

    private void checkWhatTheReaderSees(Identity bob, UUID id, List<UUID> all, Integer boundary) throws Exception {
        IdentityResolver asBob = IdentityResolver.fixed(bob);
        var prompt = new ConversationPrompts(conversations, new PromptLibrary(), asBob).specifications().get(1);
        var resource = new ConversationResource(conversations, mapper, asBob).specification();
        checkWhatBobSees(bob, id, all, boundary, prompt, resource);
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
        List<Conversation> completed = conversations.completions(bob, id.toString().substring(0, 13), 10);
        if (boundary == null) {
            assertThat(listed).isEmpty();
            assertThat(completed).isEmpty();
        } else {
            assertThat(listed).singleElement().extracting(Conversation::sharedUntilMessageId)
                    .isEqualTo(all.get(boundary));
            assertThat(listed.get(0).messageCount()).isEqualTo(boundary + 1);
            assertThat(completed).extracting(Conversation::id).containsExactly(id);
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

    private static void assertNotFound(Runnable call) {
        try {
            call.run();
            throw new AssertionError("expected the call to be refused as not found");
        } catch (BatonException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
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
