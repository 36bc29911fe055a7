package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.Turns;
import baton.db.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** delete_conversation, rename_conversation and conversation_lineage against a real PostgreSQL. */
class GovernanceTest {

    private final Database db = TestDatabase.database();
    private final Conversations conversations = new Conversations(db, Clock.systemUTC());
    private final String project = Turns.project();
    private final Identity alice = new Identity("alice", project, Role.EDITOR);
    private final Identity bob = new Identity("bob", project, Role.EDITOR);
    private final Identity carol = new Identity("carol", project, Role.EDITOR);
    private final Identity vera = new Identity("vera", project, Role.VIEWER);
    private final Identity ada = new Identity("ada", project, Role.ADMIN);

    private UUID conversation(Identity owner, String title, int turns) {
        UUID id = conversations.create(owner, title).id();
        for (int t = 0; t < turns; t++) {
            conversations.append(owner, id, Turns.turn("q" + t));
        }
        return id;
    }

    private static void refused(ThrowingCallable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BatonException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            for (String fragment : fragments) {
                assertThat(e.getMessage()).contains(fragment);
            }
        });
    }

    private long messagesOf(UUID id) {
        return db.read("counting", c -> {
            try (PreparedStatement ps = c.prepareStatement("select count(*) from messages where conversation_id = ?")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Test
    void deleteRemovesTheConversationAndItsMessagesAndForksKeepTheirCopies() {
        UUID id = conversation(alice, "to go", 2);
        conversations.share(alice, id, null);
        UUID fork = conversations.fork(bob, id, null).conversation().id();
        assertThat(conversations.delete(alice, id)).isEqualTo(8);
        assertThat(messagesOf(id)).isZero();
        for (Identity who : List.of(alice, bob, ada)) {
            refused(() -> conversations.read(who, id, -1, 10), ErrorCode.NOT_FOUND, id.toString());
            refused(() -> conversations.delete(who, id), ErrorCode.NOT_FOUND);
            refused(() -> conversations.lineage(who, id), ErrorCode.NOT_FOUND);
            refused(() -> conversations.activity(who, id, null, null), ErrorCode.NOT_FOUND);
        }
        ConversationView forkView = conversations.readAll(bob, fork);
        assertThat(forkView.messages()).hasSize(8);
        assertThat(forkView.conversation().forkedFrom().conversationId()).isEqualTo(id);
        Lineage lineage = conversations.lineage(bob, fork);
        assertThat(lineage.ancestors()).singleElement().satisfies(a -> {
            assertThat(a.conversationId()).isEqualTo(id);
            assertThat(a.deleted()).isTrue();
            assertThat(a.title()).isNull();
            assertThat(a.ownerId()).isEqualTo("alice");
            assertThat(a.forkedAtIndex()).isEqualTo(7);
        });
        // the audit keeps the delete, and the rest of the log
        List<ActivityEvent> exported = new ArrayList<>();
        conversations.exportActivity(project, java.time.Instant.EPOCH, exported::add);
        assertThat(exported).filteredOn(e -> e.conversationId().equals(id)).extracting(ActivityEvent::action)
                .containsExactly("share", "fork", "delete");
    }

    @Test
    void aDeleteIsAnnouncedToThoseWhoCouldSeeTheConversation() {
        UUID shared = conversation(alice, "shared", 1);
        conversations.share(alice, shared, null);
        UUID unshared = conversation(alice, "private", 1);
        conversations.delete(alice, shared);
        conversations.delete(alice, unshared);
        ConversationChanges.Change sharedGone = ConversationChanges.Change.parse(shared + " deleted");
        assertThat(sharedGone.boundaryMoved()).isTrue();
        var audience = conversations.changes().audience(sharedGone);
        assertThat(List.of(alice, bob, ada, vera)).allMatch(audience);
        assertThat(audience.test(new Identity("bob", Turns.project(), Role.ADMIN))).isFalse();
        var privateAudience = conversations.changes().audience(ConversationChanges.Change.parse(unshared + " deleted"));
        assertThat(privateAudience.test(alice)).isTrue();
        assertThat(privateAudience.test(ada)).isTrue();
        assertThat(privateAudience.test(bob)).isFalse();
    }

    @Test
    void onlyTheOwnerOrAnAdminDeletesAndRenames() {
        UUID id = conversation(alice, "mine", 1);
        conversations.share(alice, id, null);
        refused(() -> conversations.delete(bob, id), ErrorCode.ACCESS_DENIED, id.toString());
        refused(() -> conversations.rename(bob, id, "x"), ErrorCode.ACCESS_DENIED, id.toString());
        refused(() -> conversations.delete(vera, id), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
        refused(() -> conversations.rename(vera, id, "x"), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
        Identity stranger = new Identity("alice", Turns.project(), Role.ADMIN);
        refused(() -> conversations.delete(stranger, id), ErrorCode.NOT_FOUND);
        assertThat(messagesOf(id)).isEqualTo(4);

        assertThat(conversations.rename(ada, id, "  Renamed by an admin ").title()).isEqualTo("Renamed by an admin");
        refused(() -> conversations.rename(alice, id, "  "), ErrorCode.INVALID_ARGUMENT, "title");
        refused(() -> conversations.rename(alice, id, "x".repeat(501)), ErrorCode.INVALID_ARGUMENT, "500");
        assertThat(conversations.metadata(alice, id).conversation().title()).isEqualTo("Renamed by an admin");
        List<ActivityEvent> events = conversations.activity(alice, id, null, null).events();
        assertThat(events.get(0).action()).isEqualTo("rename");
        assertThat(events.get(0).actorId()).isEqualTo("ada");
        assertThat(events.get(0).details()).containsEntry("old_title", "mine")
                .containsEntry("new_title", "Renamed by an admin");
        assertThat(conversations.delete(ada, id)).isEqualTo(4);
        // a deleted conversation's titles leave with it, also from the activity
        List<ActivityEvent> exported = new ArrayList<>();
        conversations.exportActivity(project, java.time.Instant.EPOCH, exported::add);
        assertThat(exported).filteredOn(e -> e.action().equals("rename")).singleElement()
                .satisfies(e -> assertThat(e.details()).doesNotContainKeys("old_title", "new_title"));
    }

    @Test
    void deletingWithATurnInProgressIsRefusedAndChangesNothing() {
        UUID id = conversation(alice, "busy", 1);
        conversations.beginTurn(alice, id, "still thinking", java.time.Duration.ofMinutes(11));
        refused(() -> conversations.delete(alice, id), ErrorCode.TURN_IN_PROGRESS, id.toString(), "turn in progress");
        assertThat(messagesOf(id)).isEqualTo(5);
    }

    @Test
    void aForkRacingADeleteIsWholeOrRefused() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                UUID id = conversation(alice, "racing", 25);
                conversations.share(alice, id, null);
                CountDownLatch go = new CountDownLatch(1);
                Future<ForkResult> fork = pool.submit(() -> {
                    go.await();
                    return conversations.fork(bob, id, null);
                });
                Future<Integer> delete = pool.submit(() -> {
                    go.await();
                    return conversations.delete(alice, id);
                });
                go.countDown();
                assertThat(delete.get()).isEqualTo(100);
                try {
                    ForkResult made = fork.get();
                    assertThat(made.copiedMessages()).isEqualTo(100);
                    assertThat(messagesOf(made.conversation().id())).isEqualTo(100);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(BatonException.class,
                            b -> assertThat(b.code()).isEqualTo(ErrorCode.NOT_FOUND));
                }
                assertThat(messagesOf(id)).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lineageShowsAncestorsNearestFirstAndForksAsFarAsTheCallerMaySee() {
        UUID root = conversation(alice, "root", 2);
        conversations.share(alice, root, null);
        UUID bobs = conversations.fork(bob, root, null).conversation().id();
        conversations.append(bob, bobs, Turns.turn("more"));
        UUID carols = conversations.fork(carol, root, null).conversation().id();

        // bob's fork is private: carol forks nothing from it, and sees of root only her own fork
        Lineage aliceSees = conversations.lineage(alice, root);
        assertThat(aliceSees.ancestors()).isEmpty();
        assertThat(aliceSees.forks()).extracting(Lineage.Fork::conversationId).containsExactly(bobs, carols);
        assertThat(aliceSees.forks().get(0).copiedUpToIndex()).isEqualTo(7);
        assertThat(conversations.lineage(carol, root).forks()).extracting(Lineage.Fork::conversationId)
                .containsExactly(carols);
        assertThat(conversations.lineage(ada, root).forks()).hasSize(2);

        // a fork of bob's fork by alice (bob shares it): two ancestors, nearest first
        conversations.share(bob, bobs, null);
        UUID grandchild = conversations.fork(alice, bobs, null).conversation().id();
        Lineage up = conversations.lineage(alice, grandchild);
        assertThat(up.ancestors()).extracting(Lineage.Ancestor::conversationId).containsExactly(bobs, root);
        assertThat(up.ancestors()).extracting(Lineage.Ancestor::title).containsExactly("root (forked)", "root");
        assertThat(up.ancestors()).extracting(Lineage.Ancestor::forkedAtIndex).containsExactly(11, 7);

        // once bob unshares, alice sees his fork's id and owner (her fork names them) but not its title nor beyond
        conversations.unshare(bob, bobs);
        up = conversations.lineage(alice, grandchild);
        assertThat(up.ancestors()).singleElement().satisfies(a -> {
            assertThat(a.conversationId()).isEqualTo(bobs);
            assertThat(a.ownerId()).isEqualTo("bob");
            assertThat(a.title()).isNull();
            assertThat(a.deleted()).isFalse();
        });
        // an admin sees the whole chain, through a deleted ancestor too
        conversations.delete(bob, bobs);
        Lineage adminSees = conversations.lineage(ada, grandchild);
        assertThat(adminSees.ancestors()).extracting(Lineage.Ancestor::deleted).containsExactly(true, false);
        assertThat(adminSees.ancestors()).extracting(Lineage.Ancestor::conversationId).containsExactly(bobs, root);
        // a conversation the caller may not read has no lineage for it
        refused(() -> conversations.lineage(carol, grandchild), ErrorCode.ACCESS_DENIED);
    }
}
