package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The conversation scenario end to end, once per transport: the built jar as separate processes
 * on one embedded PostgreSQL, driven by the real MCP Java client. A subclass says how a user
 * connects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndSuite {

    /** A client connected as {@code user} in {@code project} with {@code role}. */
    protected abstract McpTestClient start(String user, String project, String role);

    static Map<String, Object> msg(String id, String role, String type, String tool, String parent,
            String contentType, String content) {
        return WireMessage.of(id, role, type, tool, parent, contentType, content);
    }

    /** A complete turn with a tool exchange; returns its four messages (the last is the turn end). */
    static List<Map<String, Object>> turn(String question) {
        String root = UUID.randomUUID().toString();
        String call = UUID.randomUUID().toString();
        return List.of(
                msg(root, "user", "call", "router_agent", null, "text", question),
                msg(call, "assistant", "call", "query", root, "json", "{\"dataset\":\"sales\"}"),
                msg(UUID.randomUUID().toString(), "tool", "result", "query", call, "json", "{\"rows\":3}"),
                msg(UUID.randomUUID().toString(), "assistant", "result", "router_agent", null, "text",
                        "answer to " + question));
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Map<String, Object> appendResult) {
        return (List<String>) appendResult.get("message_ids");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(Map<String, Object> readResult) {
        return (List<Map<String, Object>>) readResult.get("messages");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> conversation(Map<String, Object> result) {
        return (Map<String, Object>) result.get("conversation");
    }

    /** Regression: serverInfo said version "dev" and had neither title nor description. */
    @Test
    void serverInfoHasTheBuiltVersionATitleAndADescription() {
        McpSchema.Implementation info = start("alice", "e2e-" + UUID.randomUUID(), "editor").raw().getServerInfo();
        assertThat(info.name()).isEqualTo("baton");
        assertThat(info.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(info.title()).isEqualTo("Baton");
        assertThat(info.description()).contains("conversations");
    }

    @Test
    void aliceSharesBobReadsAndForks() {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        McpTestClient bob = start("bob", project, "editor");

        assertThat(alice.raw().listTools().tools()).extracting(McpSchema.Tool::name).contains(
                "create_conversation", "append_messages", "read_conversation", "list_conversations",
                "share_conversation", "unshare_conversation", "fork_conversation");

        // alice: two complete turns, share, a third turn
        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "Quarterly sales"))).get("id");
        List<Map<String, Object>> first = turn("How did sales do?");
        List<Map<String, Object>> second = turn("And finance?");
        List<String> firstIds = ids(alice.call("append_messages", Map.of("conversation_id", id, "messages", first)));
        List<String> secondIds = ids(alice.call("append_messages", Map.of("conversation_id", id, "messages", second)));
        Map<String, Object> shared = alice.call("share_conversation", Map.of("conversation_id", id));
        assertThat(shared.get("shared_until_message_id")).isEqualTo(secondIds.get(3));
        alice.call("append_messages", Map.of("conversation_id", id, "messages", turn("Private follow-up")));

        // bob reads exactly the first two turns
        Map<String, Object> read = bob.call("read_conversation", Map.of("conversation_id", id));
        assertThat(messages(read)).extracting(m -> m.get("id")).containsExactlyElementsOf(
                concat(firstIds, secondIds));
        assertThat(read.get("next_after_index")).isNull();
        assertThat(conversation(read).get("is_owner")).isEqualTo(false);
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", id, "after_index", 7)))).isEmpty();
        assertThat(bob.resource(id)).contains(secondIds.get(3)).doesNotContain("Private follow-up");
        // the shared list shows it, metadata only
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sharedList = (List<Map<String, Object>>) bob.call("list_conversations",
                Map.of("scope", "shared")).get("conversations");
        assertThat(sharedList).extracting(c -> c.get("id")).containsExactly(id);
        assertThat(sharedList.get(0)).doesNotContainKey("messages");

        // bob forks
        Map<String, Object> fork = bob.call("fork_conversation", Map.of("conversation_id", id));
        assertThat(fork.get("copied_messages")).isEqualTo(8);
        Map<String, Object> forkConversation = conversation(fork);
        String forkId = (String) forkConversation.get("id");
        assertThat(forkConversation.get("owner_id")).isEqualTo("bob");
        assertThat(forkConversation.get("title")).isEqualTo("Quarterly sales (forked)");
        assertThat(forkConversation.get("forked_from")).isEqualTo(Map.of(
                "conversation_id", id, "message_id", secondIds.get(3), "owner_id", "alice"));
        List<Map<String, Object>> forked = messages(bob.call("read_conversation", Map.of("conversation_id", forkId)));
        assertThat(forked).hasSize(8);
        assertThat(forked).extracting(m -> m.get("id")).doesNotContainAnyElementsOf(concat(firstIds, secondIds));
        assertThat(forked.get(1).get("parent_id")).isEqualTo(forked.get(0).get("id"));
        assertThat(forked.get(2).get("parent_id")).isEqualTo(forked.get(1).get("id"));

        // the fork instructions: in bob's fork only
        String forkMarker = "This conversation was transferred";
        assertThat(bob.systemPrompt(forkId)).contains(forkMarker);
        assertThat(alice.systemPrompt(id)).doesNotContain(forkMarker);
        String aliceOwnFork = (String) conversation(alice.call("fork_conversation", Map.of("conversation_id", id))).get("id");
        assertThat(alice.systemPrompt(aliceOwnFork)).doesNotContain(forkMarker);

        // re-share at the first turn end: bob sees one turn
        alice.call("share_conversation", Map.of("conversation_id", id, "until_message_id", firstIds.get(3)));
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", id)))).hasSize(4);
        // a message inside a turn is refused
        String refusal = alice.refused("share_conversation",
                Map.of("conversation_id", id, "until_message_id", firstIds.get(1)));
        assertThat(refusal).contains(firstIds.get(1)).contains("not a turn end");
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", id)))).hasSize(4);

        // unshare: bob's read and fork are refused; his fork stays his and intact
        assertThat(alice.call("unshare_conversation", Map.of("conversation_id", id)).get("shared")).isEqualTo(false);
        assertThat(bob.refused("read_conversation", Map.of("conversation_id", id))).contains(id).contains("denied");
        assertThat(bob.refused("fork_conversation", Map.of("conversation_id", id))).contains(id);
        assertThatThrownBy(() -> bob.systemPrompt(id)).isInstanceOf(McpError.class).hasMessageContaining(id);
        assertThatThrownBy(() -> bob.resource(id)).isInstanceOf(McpError.class);
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", forkId)))).hasSize(8);
    }

    @Test
    void viewerReadsSharedButWritesNothingAndProjectsStayApart() {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        McpTestClient vera = start("vera", project, "viewer");
        McpTestClient stranger = start("mallory", "other-" + UUID.randomUUID(), "admin");

        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "t"))).get("id");
        alice.call("append_messages", Map.of("conversation_id", id, "messages", turn("q")));
        alice.call("share_conversation", Map.of("conversation_id", id));

        assertThat(messages(vera.call("read_conversation", Map.of("conversation_id", id)))).hasSize(4);
        assertThat(vera.refused("create_conversation", Map.of())).contains("viewer");
        assertThat(vera.refused("append_messages", Map.of("conversation_id", id, "messages", turn("x")))).contains("viewer");
        assertThat(vera.refused("share_conversation", Map.of("conversation_id", id))).contains("viewer");
        assertThat(vera.refused("fork_conversation", Map.of("conversation_id", id))).contains("viewer");

        // another project's conversation is answered exactly like an id that does not exist
        String missing = UUID.randomUUID().toString();
        assertThat(stranger.refused("read_conversation", Map.of("conversation_id", id)))
                .isEqualTo(stranger.refused("read_conversation", Map.of("conversation_id", missing)).replace(missing, id))
                .contains("was not found");
        assertThat(stranger.refused("fork_conversation", Map.of("conversation_id", id))).contains("was not found");
        assertThat(stranger.call("list_conversations", Map.of("scope", "shared")).get("conversations"))
                .asList().isEmpty();
        assertThatThrownBy(() -> stranger.resource(id)).isInstanceOf(McpError.class);
        assertThat(messages(alice.call("read_conversation", Map.of("conversation_id", id)))).hasSize(4);
    }

    @Test
    void badInputGetsOneSentenceAndChangesNothing() {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "t"))).get("id");
        String other = (String) conversation(alice.call("create_conversation", Map.of("title", "o"))).get("id");
        List<String> otherIds = ids(alice.call("append_messages", Map.of("conversation_id", other, "messages", turn("q"))));

        String unknown = UUID.randomUUID().toString();
        assertThat(alice.refused("read_conversation", Map.of("conversation_id", unknown)))
                .isEqualTo("Conversation " + unknown + " was not found.");
        assertThat(alice.refused("read_conversation", Map.of("conversation_id", "not-a-uuid")))
                .contains("conversation_id", "not-a-uuid", "UUID");
        assertThat(alice.refused("append_messages", Map.of("conversation_id", id, "messages",
                List.of(msg(null, "tool", "result", "query", otherIds.get(1), "text", "x")))))
                .contains(otherIds.get(1), "messages[0].parent_id", id);
        String big = "x".repeat(1024 * 1024 + 1);
        assertThat(alice.refused("append_messages", Map.of("conversation_id", id, "messages",
                List.of(msg(null, "user", "call", "router_agent", null, "text", big)))))
                .contains("messages[0].content", "1 MiB");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(msg(null, "user", "progress", "", null, "text", "m" + i));
        }
        assertThat(alice.refused("append_messages", Map.of("conversation_id", id, "messages", tooMany)))
                .contains("1001", "1000");
        // the client negotiated 2025-11-25: schema violations are tool results the model sees (SEP-1303)
        assertThat(alice.refused("append_messages", Map.of("conversation_id", id, "messages",
                List.of(msg(null, "wizard", "call", "", null, "text", "x")))))
                .startsWith("Invalid arguments for tool append_messages:").contains("role");
        assertThat(alice.refused("append_messages", Map.of("conversation_id", id)))
                .startsWith("Invalid arguments for tool append_messages:").contains("messages");
        assertThat(alice.refused("read_conversation", Map.of("conversation_id", id, "bogus", 1))).contains("bogus");
        McpError unknownTool = alice.rejected("no_such_tool", Map.of());
        assertThat(unknownTool.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS);
        assertThat(unknownTool.getMessage()).isEqualTo(
                "Unknown tool 'no_such_tool'; tools/list names the tools of this server.");

        // nothing changed
        Map<String, Object> read = alice.call("read_conversation", Map.of("conversation_id", id));
        assertThat(messages(read)).isEmpty();
        assertThat(messages(alice.call("read_conversation", Map.of("conversation_id", other)))).hasSize(4);
    }

    /**
     * Issue 13's share governance and issue 12's metadata rule over the real transport: an audience
     * (others refused exactly as if it were not shared), an expiry that ends the share on every
     * instance with no job, and a live share whose boundary follows alice's completed turns.
     */
    @Test
    void aNullOptionalArgumentCountsAsLeftOut() {
        McpTestClient alice = start("alice", "e2e-" + UUID.randomUUID(), "editor");
        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "nulls"))).get("id");
        String root = UUID.randomUUID().toString();
        Map<String, Object> question = new java.util.HashMap<>(msg(root, "user", "call", "router_agent", null, "text", "q"));
        question.put("parent_id", null);
        question.put("content_type", null);
        Map<String, Object> answer = new java.util.HashMap<>(msg(null, "assistant", "result", "router_agent", null, "text", "a"));
        answer.put("id", null);
        answer.put("parent_id", null);
        Map<String, Object> arguments = new java.util.HashMap<>();
        arguments.put("conversation_id", id);
        arguments.put("messages", List.of(question, answer));
        assertThat((List<?>) alice.call("append_messages", arguments).get("message_ids")).hasSize(2);
        Map<String, Object> share = new java.util.HashMap<>();
        share.put("conversation_id", id);
        share.put("until_message_id", null);
        share.put("with_users", null);
        assertThat(alice.call("share_conversation", share).get("shared_until_message_id")).isNotNull();
        Map<String, Object> required = new java.util.HashMap<>();
        required.put("conversation_id", null);
        assertThat(alice.refused("read_conversation", required))
                .startsWith("Invalid arguments for tool read_conversation:").contains("conversation_id");
    }

    @Test
    void aliceGovernsWhoSeesHerShareUntilWhenAndLive() throws InterruptedException {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        McpTestClient bob = start("bob", project, "editor");
        McpTestClient bobElsewhere = start("bob", project, "editor"); // over HTTP: the other instance
        McpTestClient carol = start("carol", project, "editor");

        // expiry first, so its minute runs while the rest of the story is told
        String expiring = (String) conversation(alice.call("create_conversation", Map.of("title", "Expiring"))).get("id");
        alice.call("append_messages", Map.of("conversation_id", expiring, "messages", turn("Until when?")));
        Map<String, Object> expiringShare = alice.call("share_conversation",
                Map.of("conversation_id", expiring, "expires_in_seconds", 60));
        java.time.Instant expiresAt = java.time.Instant.parse((String) expiringShare.get("expires_at"));
        assertThat(expiresAt).isBetween(java.time.Instant.now().plusSeconds(50), java.time.Instant.now().plusSeconds(61));
        assertThat(expiringShare).containsEntry("with_users", null).containsEntry("shared_follows", false);
        Map<String, Object> bobsView = conversation(bob.call("read_conversation", Map.of("conversation_id", expiring)));
        assertThat(bobsView).containsEntry("expires_at", expiringShare.get("expires_at")).doesNotContainKey("with_users");
        assertThat(messages(bobElsewhere.call("read_conversation", Map.of("conversation_id", expiring)))).hasSize(4);
        assertThat(alice.refused("share_conversation", Map.of("conversation_id", expiring, "expires_in_seconds", 59)))
                .contains("expires_in_seconds");

        // audience: bob only; carol is refused exactly as if it were not shared
        String named = (String) conversation(alice.call("create_conversation", Map.of("title", "For bob"))).get("id");
        List<String> namedIds = ids(alice.call("append_messages", Map.of("conversation_id", named, "messages", turn("q"))));
        String notShared = carol.refused("read_conversation", Map.of("conversation_id", named));
        assertThat(notShared).isEqualTo("Access denied to conversation " + named + ": it is not shared with you.");
        Map<String, Object> namedShare = alice.call("share_conversation",
                Map.of("conversation_id", named, "with_users", List.of("bob")));
        assertThat(namedShare).containsEntry("with_users", List.of("bob")).containsEntry("expires_at", null);
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", named)))).hasSize(4);
        assertThat(carol.refused("read_conversation", Map.of("conversation_id", named))).isEqualTo(notShared);
        assertThat(carol.refused("fork_conversation", Map.of("conversation_id", named))).isEqualTo(notShared);
        assertThatThrownBy(() -> carol.resource(named)).isInstanceOf(McpError.class);
        assertThat(sharedIds(carol)).contains(expiring).doesNotContain(named);
        assertThat(sharedIds(bob)).contains(expiring, named);
        assertThat(conversation(alice.call("read_conversation", Map.of("conversation_id", named))))
                .containsEntry("with_users", List.of("bob"));
        assertThat(conversation(bob.call("read_conversation", Map.of("conversation_id", named))))
                .doesNotContainKey("with_users");
        assertThat(bob.call("fork_conversation", Map.of("conversation_id", named)).get("copied_messages")).isEqualTo(4);
        // bad audiences change nothing
        assertThat(alice.refused("share_conversation", Map.of("conversation_id", named, "with_users", List.of())))
                .contains("with_users");
        assertThat(alice.refused("share_conversation", Map.of("conversation_id", named, "with_users", List.of("car\nol"))))
                .isEqualTo("with_users[0] must not contain control characters (U+000A at position 4).");
        assertThat(carol.refused("read_conversation", Map.of("conversation_id", named))).isEqualTo(notShared);
        // re-sharing replaces the audience
        alice.call("share_conversation", Map.of("conversation_id", named, "with_users", List.of("carol")));
        assertThat(bob.refused("read_conversation", Map.of("conversation_id", named)))
                .isEqualTo(notShared);
        assertThat(messages(carol.call("read_conversation", Map.of("conversation_id", named)))).hasSize(4);

        // issue 12: alice's hidden turn moves neither bob's updated_at nor what he is told
        alice.call("share_conversation", Map.of("conversation_id", named));
        Map<String, Object> before = conversation(bob.call("read_conversation", Map.of("conversation_id", named)));
        Thread.sleep(20);
        alice.call("append_messages", Map.of("conversation_id", named, "messages", turn("Hidden work")));
        Map<String, Object> after = conversation(bob.call("read_conversation", Map.of("conversation_id", named)));
        assertThat(after.get("updated_at")).isEqualTo(before.get("updated_at"))
                .isEqualTo(messages(bob.call("read_conversation", Map.of("conversation_id", named))).get(3).get("created_at"));
        assertThat(conversation(alice.call("read_conversation", Map.of("conversation_id", named))).get("updated_at"))
                .isNotEqualTo(after.get("updated_at"));
        assertThat(namedIds).hasSize(4);

        // a live share: the boundary follows each completed turn, never a turn in progress
        String live = (String) conversation(alice.call("create_conversation", Map.of("title", "Live"))).get("id");
        alice.call("append_messages", Map.of("conversation_id", live, "messages", turn("first")));
        Map<String, Object> liveShare = alice.call("share_conversation", Map.of("conversation_id", live, "follow", true));
        assertThat(liveShare).containsEntry("shared_follows", true);
        List<Map<String, Object>> next = turn("second");
        alice.call("append_messages", Map.of("conversation_id", live, "messages", next.subList(0, 2)));
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", live)))).hasSize(4);
        assertThat(bob.resource(live)).doesNotContain((String) next.get(0).get("id"));
        alice.call("append_messages", Map.of("conversation_id", live, "messages", next.subList(2, 4)));
        Map<String, Object> liveRead = bob.call("read_conversation", Map.of("conversation_id", live));
        assertThat(messages(liveRead)).hasSize(8);
        assertThat(conversation(liveRead)).containsEntry("shared_follows", true)
                .containsEntry("shared_until_message_id", next.get(3).get("id"));
        assertThat(bobElsewhere.call("fork_conversation", Map.of("conversation_id", live)).get("copied_messages"))
                .isEqualTo(8);
        alice.call("share_conversation", Map.of("conversation_id", live)); // pinned again
        alice.call("append_messages", Map.of("conversation_id", live, "messages", turn("third")));
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", live)))).hasSize(8);

        // the expiry: from expires_at on, bob is refused on every instance, alice still reads
        long wait = java.time.Duration.between(java.time.Instant.now(), expiresAt).toMillis() + 200;
        if (wait > 0) {
            Thread.sleep(wait);
        }
        String expired = "Access denied to conversation " + expiring + ": it is not shared with you.";
        assertThat(bob.refused("read_conversation", Map.of("conversation_id", expiring))).isEqualTo(expired);
        assertThat(bobElsewhere.refused("read_conversation", Map.of("conversation_id", expiring))).isEqualTo(expired);
        assertThat(bobElsewhere.refused("fork_conversation", Map.of("conversation_id", expiring))).isEqualTo(expired);
        assertThat(sharedIds(bob)).doesNotContain(expiring);
        assertThat(messages(alice.call("read_conversation", Map.of("conversation_id", expiring)))).hasSize(4);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> sharedIds(McpTestClient who) {
        return ((List<Map<String, Object>>) who.call("list_conversations", Map.of("scope", "shared")).get("conversations"))
                .stream().map(c -> c.get("id")).toList();
    }

    /**
     * resources/subscribe across processes: bob's Baton hears of alice's share through PostgreSQL
     * (LISTEN/NOTIFY), and bob's client reads the conversation again. An append past bob's boundary
     * says nothing to him; the re-share that moves the boundary does.
     */
    @Test
    void aSubscriberHearsOfAShareMadeThroughAnotherProcess() throws InterruptedException {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        McpTestClient bob = start("bob", project, "editor");
        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "watched"))).get("id");
        String uri = "baton://conversations/" + id;
        alice.call("append_messages", Map.of("conversation_id", id, "messages", turn("first")));
        bob.subscribe(id);

        long shared = System.nanoTime();
        alice.call("share_conversation", Map.of("conversation_id", id));
        awaitHeard(uri, 1, shared);
        alice.call("append_messages", Map.of("conversation_id", id, "messages", turn("second")));
        long reshared = System.nanoTime();
        alice.call("share_conversation", Map.of("conversation_id", id));
        awaitHeard(uri, 2, reshared);
        Thread.sleep(300);
        assertThat(McpTestClient.heardUpdates(uri)).as("the append past the boundary was not announced to bob")
                .hasSize(2);
    }

    /**
     * Share governance end to end: bob's reads by every route (tool, resource, system prompt) and
     * his fork show in alice's activity, folded; the lineage of his fork; rename and delete, which a
     * viewer may not; the fork outlives its source.
     */
    @Test
    @SuppressWarnings("unchecked")
    void activityLineageRenameAndDelete() {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        McpTestClient bob = start("bob", project, "editor");
        McpTestClient vera = start("vera", project, "viewer");
        assertThat(alice.raw().listTools().tools()).extracting(McpSchema.Tool::name).contains(
                "conversation_activity", "conversation_lineage", "rename_conversation", "delete_conversation");
        assertThat(vera.raw().listTools().tools()).extracting(McpSchema.Tool::name)
                .contains("conversation_activity", "conversation_lineage")
                .doesNotContain("rename_conversation", "delete_conversation");

        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "Governed"))).get("id");
        alice.call("append_messages", Map.of("conversation_id", id, "messages", turn("q")));
        alice.call("share_conversation", Map.of("conversation_id", id));
        bob.call("read_conversation", Map.of("conversation_id", id));
        bob.resource(id);
        bob.systemPrompt(id);
        String forkId = (String) conversation(bob.call("fork_conversation", Map.of("conversation_id", id))).get("id");

        // bob's process wrote his first read before answering it and adds the two folded ones within a second
        List<Map<String, Object>> events = List.of();
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        do {
            events = (List<Map<String, Object>>) alice.call("conversation_activity", Map.of("conversation_id", id))
                    .get("events");
        } while (!Integer.valueOf(3).equals(events.get(1).get("count")) && System.nanoTime() < until);
        assertThat(events).extracting(e -> e.get("action")).containsExactly("fork", "read", "share");
        assertThat(events.get(1)).containsEntry("actor_id", "bob").containsEntry("count", 3);
        assertThat((Map<String, Object>) events.get(0).get("details")).containsEntry("fork_id", forkId);
        assertThat(bob.refused("conversation_activity", Map.of("conversation_id", id))).contains("denied", id);

        Map<String, Object> lineage = bob.call("conversation_lineage", Map.of("conversation_id", forkId));
        assertThat((List<Map<String, Object>>) lineage.get("ancestors")).singleElement().satisfies(a -> assertThat(a)
                .containsEntry("conversation_id", id).containsEntry("title", "Governed")
                .containsEntry("deleted", false).containsEntry("forked_at_index", 3));
        assertThat((List<Map<String, Object>>) alice.call("conversation_lineage", Map.of("conversation_id", id))
                .get("forks")).extracting(f -> f.get("conversation_id")).containsExactly(forkId);

        assertThat(conversation(alice.call("rename_conversation", Map.of("conversation_id", id, "title", "Renamed")))
                .get("title")).isEqualTo("Renamed");
        viewerWriteIsRefused(vera, "delete_conversation", Map.of("conversation_id", id));
        assertThat(bob.refused("delete_conversation", Map.of("conversation_id", id))).contains("denied");
        assertThat(alice.refused("rename_conversation", Map.of("conversation_id", id, "title", "")))
                .contains("title");

        // (who hears of the delete is GovernanceTest's: the SDK client reads an updated resource again
        // before its consumer runs, and a deleted one cannot be read)
        Map<String, Object> deleted = alice.call("delete_conversation", Map.of("conversation_id", id));
        assertThat(deleted).containsEntry("deleted", true).containsEntry("deleted_messages", 4);
        assertThat(bob.refused("read_conversation", Map.of("conversation_id", id))).isEqualTo(
                "Conversation " + id + " was not found.");
        assertThat(alice.refused("conversation_activity", Map.of("conversation_id", id))).contains("not found");
        assertThat(messages(bob.call("read_conversation", Map.of("conversation_id", forkId)))).hasSize(4);
        assertThat((List<Map<String, Object>>) bob.call("conversation_lineage", Map.of("conversation_id", forkId))
                .get("ancestors")).singleElement().satisfies(a -> assertThat(a).containsEntry("deleted", true)
                .containsEntry("title", null));
    }

    /** Waits for the {@code count}th update of {@code uri}, which must come within 2 s of {@code since}. */
    private static void awaitHeard(String uri, int count, long since) throws InterruptedException {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (McpTestClient.heardUpdates(uri).size() < count && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        List<McpTestClient.HeardUpdate> heard = McpTestClient.heardUpdates(uri);
        assertThat(heard).hasSizeGreaterThanOrEqualTo(count);
        long millis = (heard.get(count - 1).nanos() - since) / 1_000_000;
        System.out.printf("resource update %d of %s heard %d ms after the change%n", count, uri, millis);
        assertThat(millis).as("heard within 2 s").isLessThanOrEqualTo(2_000);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * A viewer's call of a write tool is refused, naming the role. Over OAuth the HTTP gate refuses
     * it first with the step-up challenge (403), so that suite overrides this.
     */
    void viewerWriteIsRefused(McpTestClient viewer, String tool, Map<String, Object> arguments) {
        assertThat(viewer.refused(tool, arguments)).contains("viewer");
    }
}
