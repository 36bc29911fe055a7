package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.ManualClock;
import baton.TestDatabase;
import baton.Turns;
import baton.mcp.JsonViews;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's share governance (audience, expiry, live shares) and issue 12's "nothing past the
 * boundary leaks through metadata", allowed and refused, against a real PostgreSQL.
 */
class ShareGovernanceTest {

    private static final Instant T0 = Instant.parse("2031-03-01T10:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final Conversations conversations = new Conversations(TestDatabase.database(), clock);

    private Identity alice;
    private Identity bob;
    private Identity carol;
    private Identity viewer;
    private Identity admin;
    private UUID id;
    private List<UUID> ids;

    @BeforeEach
    void aliceHasTwoTurns() {
        String project = Turns.project();
        alice = new Identity("alice", project, Role.EDITOR);
        bob = new Identity("bob", project, Role.EDITOR);
        carol = new Identity("carol", project, Role.EDITOR);
        viewer = new Identity("vera", project, Role.VIEWER);
        admin = new Identity("ada", project, Role.ADMIN);
        id = conversations.create(alice, "governed").id();
        ids = new ArrayList<>();
        ids.addAll(conversations.append(alice, id, Turns.turn("q0")));
        ids.addAll(conversations.append(alice, id, Turns.turn("q1")));
    }

    private UUID turnEnd(int turn) {
        return ids.get((turn + 1) * Turns.MESSAGES_PER_TURN - 1);
    }

    private Conversation share(List<String> withUsers, Long expiresIn, boolean follow) {
        return conversations.shareOn(alice, id, new ShareRequest(null, withUsers, expiresIn, follow));
    }

    private List<UUID> readAll(Identity who) {
        return conversations.readAll(who, id).messages().stream().map(Message::id).toList();
    }

    private static String refusal(ThrowingCallable call, ErrorCode code) {
        List<String> message = new ArrayList<>();
        assertThatThrownBy(call).isInstanceOfSatisfying(BatonException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            message.add(e.getMessage());
        });
        return message.get(0);
    }

    /** The refusal of a conversation that is not shared, which every other refusal must equal. */
    private String notSharedRefusal() {
        return "Access denied to conversation " + id + ": it is not shared with you.";
    }

    private void refusedAsIfUnshared(Identity who) {
        assertThat(refusal(() -> conversations.read(who, id, -1, 10), ErrorCode.ACCESS_DENIED)).isEqualTo(notSharedRefusal());
        assertThat(refusal(() -> conversations.metadata(who, id), ErrorCode.ACCESS_DENIED)).isEqualTo(notSharedRefusal());
        if (who.role().canWrite()) {
            assertThat(refusal(() -> conversations.fork(who, id, null), ErrorCode.ACCESS_DENIED))
                    .isEqualTo(notSharedRefusal());
        }
        assertThat(conversations.list(who, ListScope.SHARED, 200, null).conversations()).isEmpty();
        assertThat(conversations.completions(who, id.toString().substring(0, 8), 10)).isEmpty();
    }

    @Nested
    class Audience {
        @Test
        void onlyTheNamedUsersOwnerAndAdminsMayReadAndFork() {
            share(List.of("bob"), null, false);
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            assertThat(conversations.fork(bob, id, null).copiedMessages()).isEqualTo(ids.size());
            assertThat(conversations.list(bob, ListScope.SHARED, 200, null).conversations())
                    .extracting(Conversation::id).containsExactly(id);
            assertThat(conversations.completions(bob, id.toString().substring(0, 8), 10))
                    .extracting(Conversation::id).containsExactly(id);
            refusedAsIfUnshared(carol);
            refusedAsIfUnshared(viewer);
            assertThat(readAll(alice)).containsExactlyElementsOf(ids);
            assertThat(readAll(admin)).containsExactlyElementsOf(ids);
        }

        @Test
        void aViewerNamedInTheAudienceMayRead() {
            share(List.of("vera"), null, false);
            assertThat(readAll(viewer)).containsExactlyElementsOf(ids);
            refusedAsIfUnshared(bob);
        }

        @Test
        void reSharingReplacesTheAudienceAndOmittingItMeansTheWholeProject() {
            share(List.of("bob"), null, false);
            share(List.of("carol"), null, false);
            refusedAsIfUnshared(bob);
            assertThat(readAll(carol)).containsExactlyElementsOf(ids);
            share(null, null, false);
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            assertThat(readAll(carol)).containsExactlyElementsOf(ids);
            assertThat(readAll(viewer)).containsExactlyElementsOf(ids);
        }

        @Test
        void theAudienceIsShownToTheOwnerAndAdminsOnly() {
            Conversation shared = share(List.of("bob", "carol", "bob"), null, false);
            assertThat(shared.share().withUsers()).containsExactly("bob", "carol");
            Map<String, Object> asOwner = JsonViews.conversation(conversations.metadata(alice, id).conversation(), true);
            Map<String, Object> asAdmin = JsonViews.conversation(conversations.metadata(admin, id).conversation(), false);
            Map<String, Object> asBob = JsonViews.conversation(conversations.metadata(bob, id).conversation(), false);
            Map<String, Object> listedToBob = JsonViews.conversation(
                    conversations.list(bob, ListScope.SHARED, 10, null).conversations().get(0), false);
            assertThat(asOwner).containsEntry("with_users", List.of("bob", "carol"));
            assertThat(asAdmin).containsEntry("with_users", List.of("bob", "carol"));
            assertThat(asBob).doesNotContainKey("with_users");
            assertThat(listedToBob).doesNotContainKey("with_users");
            share(null, null, false);
            assertThat(JsonViews.conversation(conversations.metadata(alice, id).conversation(), true))
                    .containsEntry("with_users", null);
        }

        @Test
        void withUsersEmptyTooManyOrMalformedIsRefusedInOneSentenceAndChangesNothing() {
            share(List.of("bob"), null, false);
            List<String> many = new ArrayList<>(Collections.nCopies(101, "u"));
            for (int i = 0; i < many.size(); i++) {
                many.set(i, "u" + i);
            }
            List<List<String>> bad = List.of(List.of(), many, List.of("bob", "car\nol"), List.of(""), List.of("x".repeat(201)));
            List<String> sentences = new ArrayList<>();
            for (List<String> withUsers : bad) {
                sentences.add(refusal(() -> share(withUsers, null, false), ErrorCode.INVALID_ARGUMENT));
            }
            assertThat(sentences.get(0)).isEqualTo("with_users must name at least one user (omit it to share with the whole project).");
            assertThat(sentences.get(1)).isEqualTo("with_users names 101 users; a share is for at most 100.");
            assertThat(sentences.get(2)).startsWith("with_users[1] must not contain control characters");
            assertThat(sentences.get(3)).isEqualTo("with_users[0] must not be empty.");
            assertThat(sentences.get(4)).isEqualTo("with_users[0] must be at most 200 characters.");
            assertThat(sentences).allSatisfy(s -> assertThat(s).endsWith(".").doesNotContain("Exception"));
            // nothing changed: bob still reads, carol is still refused
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            refusedAsIfUnshared(carol);
            assertThat(share(many.subList(0, 100), null, false).share().withUsers()).hasSize(100);
        }
    }

    @Nested
    class Expiry {
        @Test
        void fromExpiresAtOnNonOwnersAreRefusedAsIfUnshared() {
            Conversation shared = share(null, 60L, false);
            assertThat(shared.share().expiresAt()).isEqualTo(T0.plusSeconds(60));
            assertThat(JsonViews.conversation(conversations.metadata(bob, id).conversation(), false))
                    .containsEntry("expires_at", "2031-03-01T10:01:00Z");
            clock.set(T0.plusSeconds(59));
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            clock.set(T0.plusSeconds(60));
            refusedAsIfUnshared(bob);
            refusedAsIfUnshared(carol);
            assertThat(readAll(alice)).containsExactlyElementsOf(ids);
            assertThat(readAll(admin)).containsExactlyElementsOf(ids);
            assertThat(conversations.fork(admin, id, null).copiedMessages()).isEqualTo(ids.size());
        }

        @Test
        void reSharingSetsANewExpiryOrNone() {
            share(null, 60L, false);
            clock.advance(Duration.ofMinutes(5));
            refusedAsIfUnshared(bob);
            Conversation again = share(null, 3600L, false);
            assertThat(again.share().expiresAt()).isEqualTo(clock.instant().plusSeconds(3600));
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            clock.advance(Duration.ofHours(2));
            refusedAsIfUnshared(bob);
            assertThat(share(null, null, false).share().expiresAt()).isNull();
            clock.advance(Duration.ofDays(400));
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
        }

        @Test
        void expiresInSecondsOutsideOneMinuteTo365DaysIsRefused() {
            for (long seconds : new long[] {59, 0, -1, 31_536_001}) {
                assertThat(refusal(() -> share(null, seconds, false), ErrorCode.INVALID_ARGUMENT)).isEqualTo(
                        "expires_in_seconds must be between 60 (one minute) and 31536000 (365 days), not " + seconds + ".");
            }
            refusedAsIfUnshared(bob); // nothing was shared
            assertThat(share(null, 31_536_000L, false).share().expiresAt()).isEqualTo(T0.plus(Duration.ofDays(365)));
        }

        @Test
        void anExpiredShareIsRefusedOnEveryInstanceOfTheDatabase() {
            ManualClock otherClock = new ManualClock(T0);
            Conversations other = new Conversations(TestDatabase.database(), otherClock);
            share(null, 120L, false); // on this instance
            assertThat(other.readAll(bob, id).messages()).hasSize(ids.size());
            assertThat(other.list(bob, ListScope.SHARED, 10, null).conversations()).hasSize(1);
            otherClock.set(T0.plusSeconds(120));
            clock.set(T0.plusSeconds(120));
            for (Conversations instance : List.of(conversations, other)) {
                assertThat(refusal(() -> instance.read(bob, id, -1, 10), ErrorCode.ACCESS_DENIED)).isEqualTo(notSharedRefusal());
                assertThat(refusal(() -> instance.fork(bob, id, null), ErrorCode.ACCESS_DENIED)).isEqualTo(notSharedRefusal());
                assertThat(instance.list(bob, ListScope.SHARED, 10, null).conversations()).isEmpty();
                assertThat(instance.readAll(alice, id).messages()).hasSize(ids.size());
            }
        }

        @Test
        void aForkThatCrossesTheExpiryIsRefusedWholeAndLeavesNothing() {
            share(null, 60L, false);
            // the fork reads the share at T0+30 and copies at T0+60: the copy's own check refuses it
            clock.then(T0.plusSeconds(30), T0.plusSeconds(30), T0.plusSeconds(60));
            assertThat(refusal(() -> conversations.fork(bob, id, null), ErrorCode.ACCESS_DENIED)).isEqualTo(notSharedRefusal());
            assertThat(conversations.list(bob, ListScope.MINE, 200, null).conversations()).isEmpty();
            // before the expiry, the same fork is whole
            clock.set(T0.plusSeconds(30));
            clock.then(T0.plusSeconds(30), T0.plusSeconds(30), T0.plusSeconds(59));
            ForkResult fork = conversations.fork(bob, id, null);
            assertThat(fork.copiedMessages()).isEqualTo(ids.size());
            assertThat(conversations.readAll(bob, fork.conversation().id()).messages()).hasSize(ids.size());
            assertThat(conversations.list(bob, ListScope.MINE, 200, null).conversations()).hasSize(1);
        }
    }

    @Nested
    class Follow {
        @Test
        void theBoundaryMovesToEachCompletedTurnEndAndNeverIntoATurnInProgress() {
            Conversation shared = share(null, null, true);
            assertThat(shared.sharedUntilMessageId()).isEqualTo(turnEnd(1));
            assertThat(shared.share().follows()).isTrue();

            List<NewMessage> third = Turns.turn("q2");
            List<UUID> open = conversations.append(alice, id, third.subList(0, 2));
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            assertThat(conversations.metadata(bob, id).conversation().sharedUntilMessageId()).isEqualTo(turnEnd(1));
            assertThat(conversations.fork(bob, id, null).copiedMessages()).isEqualTo(ids.size());
            assertThat(refusal(() -> conversations.fork(bob, id, open.get(0)), ErrorCode.NOT_FOUND)).contains(open.get(0).toString());

            ids.addAll(open);
            ids.addAll(conversations.append(alice, id, third.subList(2, 4)));
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            assertThat(conversations.metadata(bob, id).conversation().sharedUntilMessageId()).isEqualTo(turnEnd(2));
            assertThat(conversations.list(bob, ListScope.SHARED, 10, null).conversations())
                    .extracting(Conversation::sharedUntilMessageId).containsExactly(turnEnd(2));
            assertThat(conversations.metadata(alice, id).conversation().sharedUntilMessageId()).isEqualTo(turnEnd(2));
            assertThat(conversations.fork(bob, id, null).copiedMessages()).isEqualTo(ids.size());
            assertThat(JsonViews.conversation(conversations.metadata(bob, id).conversation(), false))
                    .containsEntry("shared_follows", true)
                    .containsEntry("shared_until_message_id", turnEnd(2).toString());
        }

        @Test
        void aReShareWithoutFollowPinsItAndAnUnshareEndsIt() {
            share(null, null, true);
            Conversation pinned = share(null, null, false);
            assertThat(pinned.share().follows()).isFalse();
            List<UUID> later = conversations.append(alice, id, Turns.turn("q2"));
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            share(null, null, true);
            ids.addAll(later);
            assertThat(readAll(bob)).containsExactlyElementsOf(ids);
            conversations.unshare(alice, id);
            refusedAsIfUnshared(bob);
            conversations.append(alice, id, Turns.turn("q3"));
            refusedAsIfUnshared(bob);
            assertThat(conversations.metadata(alice, id).conversation().share()).isNull();
        }

        @Test
        void followWithUntilIsRefused() {
            assertThat(refusal(() -> conversations.shareOn(alice, id, new ShareRequest(turnEnd(0), null, null, true)),
                    ErrorCode.INVALID_ARGUMENT)).contains("until_message_id").contains("follow");
            refusedAsIfUnshared(bob);
        }

        @Test
        void followCombinesWithAnAudienceAndAnExpiry() {
            share(List.of("bob"), 60L, true);
            conversations.append(alice, id, Turns.turn("q2"));
            assertThat(readAll(bob)).hasSize(ids.size() + Turns.MESSAGES_PER_TURN);
            refusedAsIfUnshared(carol);
            clock.advance(Duration.ofSeconds(60));
            refusedAsIfUnshared(bob);
        }
    }

    @Nested
    class Subscriptions {
        @Test
        void aMovedBoundaryIsAnnouncedToTheAudienceOnlyAndToNobodyElseOnceExpired() {
            share(List.of("bob"), 60L, false);
            var moved = conversations.changes().audience(new ConversationChanges.Change(id, true));
            assertThat(moved.test(bob)).isTrue();
            assertThat(moved.test(carol)).isFalse();
            assertThat(moved.test(alice)).isTrue();
            assertThat(moved.test(admin)).isTrue();
            clock.advance(Duration.ofSeconds(60));
            var later = conversations.changes().audience(new ConversationChanges.Change(id, true));
            assertThat(later.test(bob)).isFalse();
            assertThat(later.test(alice)).isTrue();
            conversations.unshare(alice, id);
            var unshared = conversations.changes().audience(new ConversationChanges.Change(id, true));
            assertThat(unshared.test(bob)).isTrue();
            assertThat(unshared.test(carol)).isTrue();
        }
    }

    /** Issue 12: for a non-owner, the conversation object describes the shared part only. */
    @Nested
    class Metadata {
        @Test
        void hiddenTurnsOfTheOwnerDoNotMoveANonOwnersUpdatedAtOrCount() {
            Instant sharedPartEnds = conversations.readAll(alice, id).messages().get(ids.size() - 1).createdAt();
            clock.advance(Duration.ofMinutes(1));
            share(null, null, false);
            clock.advance(Duration.ofMinutes(1));
            Instant hiddenWork = clock.instant();
            conversations.append(alice, id, Turns.turn("hidden"));
            conversations.append(alice, id, Turns.openTurn("still at work"));

            Conversation asBob = conversations.metadata(bob, id).conversation();
            assertThat(asBob.updatedAt()).isEqualTo(sharedPartEnds);
            assertThat(asBob.messageCount()).isEqualTo(ids.size());
            assertThat(JsonViews.conversation(asBob, false)).containsEntry("updated_at", JsonViews.time(sharedPartEnds));
            Conversation listed = conversations.list(bob, ListScope.SHARED, 10, null).conversations().get(0);
            assertThat(listed.updatedAt()).isEqualTo(sharedPartEnds);
            assertThat(listed.messageCount()).isEqualTo(ids.size());
            assertThat(conversations.read(bob, id, -1, 1).conversation().updatedAt()).isEqualTo(sharedPartEnds);

            // the owner and admins see the whole conversation's
            assertThat(conversations.metadata(alice, id).conversation().updatedAt()).isEqualTo(hiddenWork);
            assertThat(conversations.metadata(admin, id).conversation().messageCount())
                    .isEqualTo(ids.size() + Turns.MESSAGES_PER_TURN + 2);
        }
    }
}
