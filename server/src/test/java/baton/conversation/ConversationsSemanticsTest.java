package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import baton.TestDatabase;
import baton.Turns;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every row of the contract's semantics table, the allowed side and the refused side. */
class ConversationsSemanticsTest {

    private final Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());

    private String project;
    private Identity alice;
    private Identity bob;
    private Identity carol;
    private Identity viewer;
    private Identity admin;
    private Identity outsider;

    @BeforeEach
    void identities() {
        project = Turns.project();
        alice = new Identity("alice", project, Role.EDITOR);
        bob = new Identity("bob", project, Role.EDITOR);
        carol = new Identity("carol", project, Role.EDITOR);
        viewer = new Identity("vera", project, Role.VIEWER);
        admin = new Identity("ada", project, Role.ADMIN);
        outsider = new Identity("bob", Turns.project(), Role.ADMIN);
    }

    /** alice's conversation with {@code turns} complete turns; returns the ids of all messages. */
    private List<UUID> conversationWithTurns(UUID id, int turns) {
        List<UUID> ids = new ArrayList<>();
        for (int t = 0; t < turns; t++) {
            ids.addAll(conversations.append(alice, id, Turns.turn("q" + t)));
        }
        return ids;
    }

    private static UUID turnEnd(List<UUID> ids, int turn) {
        return ids.get((turn + 1) * Turns.MESSAGES_PER_TURN - 1);
    }

    private static void assertRefused(ThrowingCallable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BatonException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isNotBlank();
            for (String fragment : fragments) {
                assertThat(e.getMessage()).contains(fragment);
            }
        });
    }

    @Nested
    class Read {
        @Test
        void ownerReadsEveryMessageInIndexOrderPaged() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.append(alice, id, Turns.openTurn("open"));
            ConversationView first = conversations.read(alice, id, -1, 5);
            assertThat(first.messages()).extracting(Message::index).containsExactly(0, 1, 2, 3, 4);
            assertThat(first.nextAfterIndex()).isEqualTo(4);
            ConversationView second = conversations.read(alice, id, 4, 200);
            assertThat(second.messages()).extracting(Message::index).containsExactly(5, 6, 7, 8, 9);
            assertThat(second.nextAfterIndex()).isNull();
            assertThat(first.messages().get(0).id()).isEqualTo(ids.get(0));
            assertThat(first.isOwner()).isTrue();
        }

        @Test
        void memberReadsUpToTheBoundaryOnly() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.share(alice, id, null);
            conversationWithTurns(id, 1);
            ConversationView view = conversations.read(bob, id, -1, 1000);
            assertThat(view.messages()).hasSize(8);
            assertThat(view.messages().get(7).id()).isEqualTo(turnEnd(ids, 1));
            assertThat(view.nextAfterIndex()).isNull();
            assertThat(view.isOwner()).isFalse();
            assertThat(conversations.read(bob, id, 7, 10).messages()).isEmpty();
            assertThat(conversations.read(viewer, id, -1, 1000).messages()).hasSize(8);
        }

        @Test
        void adminReadsEverythingOfTheProjectEvenUnshared() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            conversations.append(alice, id, Turns.openTurn("open"));
            assertThat(conversations.read(admin, id, -1, 1000).messages()).hasSize(6);
        }

        @Test
        void unknownConversationIsNotFound() {
            UUID missing = UUID.randomUUID();
            assertRefused(() -> conversations.read(alice, missing, -1, 10), ErrorCode.NOT_FOUND, missing.toString());
        }

        @Test
        void unsharedConversationIsDeniedToMembers() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            assertRefused(() -> conversations.read(bob, id, -1, 10), ErrorCode.ACCESS_DENIED, id.toString());
            assertRefused(() -> conversations.read(viewer, id, -1, 10), ErrorCode.ACCESS_DENIED, id.toString());
        }

        /**
         * Regression: another project's conversation was "not shared with you" while a missing id
         * was "not found", which told an outsider that the id exists.
         */
        @Test
        void otherProjectIsAnsweredExactlyLikeAMissingIdEvenToItsAdminsAndWhenShared() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            conversations.share(alice, id, null);
            UUID missing = UUID.randomUUID();
            List<java.util.function.Function<UUID, Object>> calls = List.of(
                    c -> conversations.read(outsider, c, -1, 10),
                    c -> conversations.metadata(outsider, c),
                    c -> conversations.fork(outsider, c, null),
                    c -> conversations.share(outsider, c, null),
                    c -> conversations.unshare(outsider, c),
                    c -> conversations.append(outsider, c, Turns.turn("x")),
                    c -> conversations.beginTurn(outsider, c, "hello", java.time.Duration.ofMinutes(1)));
            for (var call : calls) {
                BatonException there = catchThrowableOfType(() -> call.apply(id), BatonException.class);
                BatonException nowhere = catchThrowableOfType(() -> call.apply(missing), BatonException.class);
                assertThat(there).isNotNull();
                assertThat(there.code()).isEqualTo(ErrorCode.NOT_FOUND).isEqualTo(nowhere.code());
                assertThat(there.getMessage()).isEqualTo(nowhere.getMessage().replace(missing.toString(), id.toString()))
                        .isEqualTo("Conversation " + id + " was not found.");
            }
            assertThat(conversations.list(outsider, ListScope.SHARED, 200, null).conversations()).isEmpty();
            assertThat(conversations.read(alice, id, -1, 100).messages()).hasSize(4);
        }

        @Test
        void badPagingArgumentsAreRefused() {
            UUID id = conversations.create(alice, "t").id();
            assertRefused(() -> conversations.read(alice, id, -2, 10), ErrorCode.INVALID_ARGUMENT, "after_index");
            assertRefused(() -> conversations.read(alice, id, -1, 1001), ErrorCode.INVALID_ARGUMENT, "limit");
            assertRefused(() -> conversations.read(alice, id, -1, 0), ErrorCode.INVALID_ARGUMENT, "limit");
        }
    }

    @Nested
    class Share {
        @Test
        void withoutUntilTheBoundaryIsTheLatestTurnEnd() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.append(alice, id, Turns.openTurn("open"));
            Conversation shared = conversations.share(alice, id, null);
            assertThat(shared.sharedUntilMessageId()).isEqualTo(turnEnd(ids, 1));
            assertThat(shared.sharedUntilIndex()).isEqualTo(7);
        }

        @Test
        void reSharingMovesTheBoundaryEarlierAndLater() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 3);
            conversations.share(alice, id, turnEnd(ids, 1));
            assertThat(conversations.read(bob, id, -1, 1000).messages()).hasSize(8);
            conversations.share(alice, id, turnEnd(ids, 0));
            assertThat(conversations.read(bob, id, -1, 1000).messages()).hasSize(4);
            conversations.share(alice, id, turnEnd(ids, 2));
            assertThat(conversations.read(bob, id, -1, 1000).messages()).hasSize(12);
        }

        @Test
        void adminMayShareAnyConversationOfTheProject() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 1);
            assertThat(conversations.share(admin, id, null).sharedUntilMessageId()).isEqualTo(turnEnd(ids, 0));
        }

        @Test
        void nothingToShareWithoutACompletedTurn() {
            UUID id = conversations.create(alice, "t").id();
            conversations.append(alice, id, Turns.openTurn("open"));
            assertRefused(() -> conversations.share(alice, id, null), ErrorCode.NOTHING_TO_SHARE, id.toString());
            assertThat(conversations.read(alice, id, -1, 10).conversation().isShared()).isFalse();
        }

        @Test
        void unknownMessageIsNotFound() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            UUID missing = UUID.randomUUID();
            assertRefused(() -> conversations.share(alice, id, missing), ErrorCode.NOT_FOUND, missing.toString());
        }

        @Test
        void messageOfAnotherConversationIsNotFound() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            UUID other = conversations.create(alice, "o").id();
            UUID foreignTurnEnd = turnEnd(conversationWithTurns(other, 1), 0);
            assertRefused(() -> conversations.share(alice, id, foreignTurnEnd), ErrorCode.NOT_FOUND,
                    foreignTurnEnd.toString());
        }

        @Test
        void messageInsideATurnIsNotATurnEnd() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.share(alice, id, null);
            for (int i : new int[] {0, 1, 2, 5}) {
                assertRefused(() -> conversations.share(alice, id, ids.get(i)), ErrorCode.NOT_A_TURN_END,
                        ids.get(i).toString(), "not a turn end");
            }
            // the refused calls changed nothing
            assertThat(conversations.read(bob, id, -1, 1000).messages()).hasSize(8);
        }

        @Test
        void nonOwnerMemberAndViewerMayNotShare() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            assertRefused(() -> conversations.share(bob, id, null), ErrorCode.ACCESS_DENIED, id.toString());
            assertRefused(() -> conversations.share(viewer, id, null), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
            assertThat(conversations.read(alice, id, -1, 10).conversation().isShared()).isFalse();
        }
    }

    @Nested
    class Unshare {
        @Test
        void unshareDeniesMembersReadAndForkButKeepsTheirForks() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 2);
            conversations.share(alice, id, null);
            ForkResult fork = conversations.fork(bob, id, null);
            conversations.unshare(alice, id);
            assertRefused(() -> conversations.read(bob, id, -1, 10), ErrorCode.ACCESS_DENIED, id.toString());
            assertRefused(() -> conversations.fork(bob, id, null), ErrorCode.ACCESS_DENIED, id.toString());
            assertThat(conversations.read(bob, fork.conversation().id(), -1, 1000).messages()).hasSize(8);
            assertThat(conversations.list(bob, ListScope.SHARED, 200, null).conversations()).isEmpty();
        }

        @Test
        void unshareIsIdempotentAndAdminMayUnshare() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            conversations.share(alice, id, null);
            assertThat(conversations.unshare(admin, id).isShared()).isFalse();
            assertThat(conversations.unshare(alice, id).isShared()).isFalse();
        }

        @Test
        void nonOwnerMayNotUnshare() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            conversations.share(alice, id, null);
            assertRefused(() -> conversations.unshare(bob, id), ErrorCode.ACCESS_DENIED, id.toString());
            assertRefused(() -> conversations.unshare(viewer, id), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
            assertThat(conversations.read(bob, id, -1, 10).messages()).isNotEmpty();
        }
    }

    @Nested
    class Fork {
        @Test
        void memberForksTheSharedPartWithNewIdsAndRemappedParents() {
            UUID id = conversations.create(alice, "Sales review").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.share(alice, id, null, ToolResultsPolicy.ALL); // this test is about the copy itself
            conversationWithTurns(id, 1);

            ForkResult fork = conversations.fork(bob, id, null);
            Conversation copy = fork.conversation();
            assertThat(fork.copiedMessages()).isEqualTo(8);
            assertThat(copy.ownerId()).isEqualTo("bob");
            assertThat(copy.projectId()).isEqualTo(project);
            assertThat(copy.title()).isEqualTo("Sales review (forked)");
            assertThat(copy.forkedFrom()).isEqualTo(new ForkedFrom(id, turnEnd(ids, 1), 7, "alice"));
            assertThat(copy.isShared()).isFalse();
            assertThat(copy.isCrossOwnerFork()).isTrue();

            List<Message> source = conversations.read(alice, id, -1, 8).messages();
            List<Message> copied = conversations.read(bob, copy.id(), -1, 1000).messages();
            assertThat(copied).hasSize(8);
            for (int i = 0; i < 8; i++) {
                Message s = source.get(i);
                Message c = copied.get(i);
                assertThat(c.id()).isNotEqualTo(s.id());
                assertThat(c.id().version()).as("RFC 9562 version 8").isEqualTo(8);
                assertThat(c.id().variant()).isEqualTo(2);
                assertThat(c.id().getMostSignificantBits() >>> 16)
                        .as("a fork's ids share the first 48 bits of the fork's id")
                        .isEqualTo(copy.id().getMostSignificantBits() >>> 16);
                assertThat(c.conversationId()).isEqualTo(copy.id());
                assertThat(c.index()).isEqualTo(s.index());
                assertThat(c.role()).isEqualTo(s.role());
                assertThat(c.type()).isEqualTo(s.type());
                assertThat(c.tool()).isEqualTo(s.tool());
                assertThat(c.contentType()).isEqualTo(s.contentType());
                assertThat(c.content()).isEqualTo(s.content());
                assertThat(c.createdAt()).isEqualTo(s.createdAt());
                if (s.parentId() == null) {
                    assertThat(c.parentId()).isNull();
                } else {
                    int parentIndex = source.stream().filter(m -> m.id().equals(s.parentId())).findFirst()
                            .orElseThrow().index();
                    assertThat(c.parentId()).isEqualTo(copied.get(parentIndex).id());
                }
            }
            // the fork is not shared: carol sees nothing of it
            assertRefused(() -> conversations.read(carol, copy.id(), -1, 10), ErrorCode.ACCESS_DENIED);
        }

        @Test
        void forkUntilAnEarlierTurnEnd() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 3);
            conversations.share(alice, id, null);
            ForkResult fork = conversations.fork(bob, id, turnEnd(ids, 0));
            assertThat(fork.copiedMessages()).isEqualTo(4);
            assertThat(fork.conversation().forkedFrom().messageId()).isEqualTo(turnEnd(ids, 0));
        }

        @Test
        void ownerForkIsNotACrossOwnerForkAndStopsAtTheLatestTurnEnd() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 2);
            conversations.append(alice, id, Turns.openTurn("open"));
            ForkResult fork = conversations.fork(alice, id, null);
            assertThat(fork.copiedMessages()).isEqualTo(8);
            assertThat(fork.conversation().isCrossOwnerFork()).isFalse();
            assertThat(fork.conversation().forkedFrom().ownerId()).isEqualTo("alice");
        }

        @Test
        void aForkOfACrossOwnerForkStaysCrossOwnerForItsOwner() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            conversations.share(alice, id, null);
            UUID bobs = conversations.fork(bob, id, null).conversation().id();
            Conversation again = conversations.fork(bob, bobs, null).conversation();
            assertThat(again.isCrossOwnerFork()).isTrue();
            assertThat(again.earlierOwnerId()).isEqualTo("alice");
        }

        @Test
        void forkPastTheBoundaryIsRefused() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.share(alice, id, turnEnd(ids, 0));
            UUID hidden = turnEnd(ids, 1);
            assertRefused(() -> conversations.fork(bob, id, hidden), ErrorCode.NOT_FOUND, hidden.toString());
        }

        @Test
        void forkIntoTheMiddleOfATurnIsRefused() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> ids = conversationWithTurns(id, 2);
            conversations.share(alice, id, null);
            assertRefused(() -> conversations.fork(bob, id, ids.get(5)), ErrorCode.NOT_A_TURN_END, ids.get(5).toString());
            assertThat(conversations.list(bob, ListScope.MINE, 200, null).conversations()).isEmpty();
        }

        @Test
        void viewerMayNotForkAndUnsharedIsDenied() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 1);
            assertRefused(() -> conversations.fork(bob, id, null), ErrorCode.ACCESS_DENIED, id.toString());
            conversations.share(alice, id, null);
            assertRefused(() -> conversations.fork(viewer, id, null), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
            UUID missing = UUID.randomUUID();
            assertRefused(() -> conversations.fork(bob, missing, null), ErrorCode.NOT_FOUND, missing.toString());
        }

        @Test
        void adminForksEverything() {
            UUID id = conversations.create(alice, "t").id();
            conversationWithTurns(id, 2);
            assertThat(conversations.fork(admin, id, null).copiedMessages()).isEqualTo(8);
        }
    }

    @Nested
    class Append {
        @Test
        void indexContinuesAndParentsMayComeEarlierInTheBatch() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> first = conversations.append(alice, id, Turns.turn("a"));
            List<UUID> second = conversations.append(alice, id, Turns.turn("b"));
            assertThat(first).hasSize(4);
            List<Message> all = conversations.read(alice, id, -1, 100).messages();
            assertThat(all).extracting(Message::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(all).extracting(Message::id).containsExactlyElementsOf(
                    java.util.stream.Stream.concat(first.stream(), second.stream()).toList());
        }

        @Test
        void parentMayBeAnEarlierMessage() {
            UUID id = conversations.create(alice, "t").id();
            List<UUID> open = conversations.append(alice, id, Turns.openTurn("a"));
            List<UUID> rest = conversations.append(alice, id, List.of(new NewMessage(null, MessageRole.TOOL,
                    MessageType.RESULT, "query", open.get(1), ContentType.TEXT, "ok")));
            assertThat(conversations.read(alice, id, -1, 10).messages().get(2).parentId()).isEqualTo(open.get(1));
            assertThat(rest).hasSize(1);
        }

        @Test
        void retriedAppendWithTheSameIdsIsANoOp() {
            UUID id = conversations.create(alice, "t").id();
            List<NewMessage> turn = Turns.turn("a");
            List<UUID> first = conversations.append(alice, id, turn);
            List<UUID> again = conversations.append(alice, id, turn);
            assertThat(again).isEqualTo(first);
            assertThat(conversations.read(alice, id, -1, 100).messages()).hasSize(4);
        }

        @Test
        void sameIdForAnotherMessageIsRefused() {
            UUID id = conversations.create(alice, "t").id();
            List<NewMessage> turn = Turns.turn("a");
            conversations.append(alice, id, turn);
            NewMessage original = turn.get(3);
            NewMessage other = new NewMessage(original.id(), original.role(), original.type(), original.tool(),
                    null, ContentType.TEXT, "something else");
            assertRefused(() -> conversations.append(alice, id, List.of(other)), ErrorCode.ID_REUSED,
                    original.id().toString());
            assertThat(conversations.read(alice, id, -1, 100).messages()).hasSize(4);
        }

        /**
         * Regression: an id stored by another project was refused as "already used", which told the
         * caller that the other project holds it. An id now names a message within its conversation.
         */
        @Test
        void anIdUsedInAnotherProjectOrConversationIsFreeHere() {
            Identity stranger = new Identity("stranger", "elsewhere-" + UUID.randomUUID(), Role.EDITOR);
            UUID theirs = conversations.create(stranger, "theirs").id();
            List<NewMessage> turn = Turns.turn("their secret question");
            List<UUID> theirIds = conversations.append(stranger, theirs, turn);

            UUID id = conversations.create(alice, "t").id();
            NewMessage first = Turns.turn("my own question").get(0);
            NewMessage reusing = new NewMessage(theirIds.get(0), first.role(), first.type(), first.tool(), null,
                    first.contentType(), first.content());
            assertThat(conversations.append(alice, id, List.of(reusing))).containsExactly(theirIds.get(0));
            UUID mine = conversations.create(alice, "o").id();
            assertThat(conversations.append(alice, mine, List.of(turn.get(0)))).containsExactly(theirIds.get(0));

            assertThat(conversations.read(alice, id, -1, 10).messages()).singleElement()
                    .satisfies(m -> assertThat(m.content()).isEqualTo("my own question"));
            assertThat(conversations.read(stranger, theirs, -1, 10).messages()).hasSize(4)
                    .first().satisfies(m -> assertThat(m.content()).isEqualTo("their secret question"));
        }

        @Test
        void ownerOrAdminOnly() {
            UUID id = conversations.create(alice, "t").id();
            assertRefused(() -> conversations.append(bob, id, Turns.turn("x")), ErrorCode.ACCESS_DENIED, id.toString());
            assertRefused(() -> conversations.append(viewer, id, Turns.turn("x")), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
            assertRefused(() -> conversations.append(outsider, id, Turns.turn("x")), ErrorCode.NOT_FOUND);
            assertThat(conversations.append(admin, id, Turns.turn("x"))).hasSize(4);
            assertThat(conversations.read(alice, id, -1, 100).messages()).hasSize(4);
        }

        @Test
        void badParentIsRefusedAndNothingIsAppended() {
            UUID id = conversations.create(alice, "t").id();
            UUID other = conversations.create(alice, "o").id();
            UUID foreign = conversations.append(alice, other, Turns.turn("x")).get(0);
            List<NewMessage> batch = new ArrayList<>(Turns.turn("a"));
            batch.add(new NewMessage(null, MessageRole.TOOL, MessageType.RESULT, "q", foreign, ContentType.TEXT, "x"));
            assertRefused(() -> conversations.append(alice, id, batch), ErrorCode.BAD_PARENT, foreign.toString(),
                    "messages[4].parent_id");
            UUID later = UUID.randomUUID();
            List<NewMessage> forward = List.of(
                    new NewMessage(null, MessageRole.USER, MessageType.CALL, "q", later, ContentType.TEXT, "x"),
                    new NewMessage(later, MessageRole.USER, MessageType.CALL, "q", null, ContentType.TEXT, "x"));
            assertRefused(() -> conversations.append(alice, id, forward), ErrorCode.BAD_PARENT, later.toString());
            assertThat(conversations.read(alice, id, -1, 100).messages()).isEmpty();
        }

        @Test
        void tooLargeContentAndTooManyMessagesAreRefused() {
            UUID id = conversations.create(alice, "t").id();
            String big = "x".repeat(NewMessage.MAX_CONTENT_BYTES + 1);
            assertRefused(() -> conversations.append(alice, id, List.of(new NewMessage(null, MessageRole.USER,
                    MessageType.CALL, "", null, ContentType.TEXT, big))), ErrorCode.TOO_LARGE, "messages[0].content",
                    "1048577");
            String multiByte = "é".repeat(NewMessage.MAX_CONTENT_BYTES / 2 + 1);
            assertRefused(() -> conversations.append(alice, id, List.of(new NewMessage(null, MessageRole.USER,
                    MessageType.CALL, "", null, ContentType.TEXT, multiByte))), ErrorCode.TOO_LARGE);
            String exactly = "x".repeat(NewMessage.MAX_CONTENT_BYTES);
            assertThat(conversations.append(alice, id, List.of(new NewMessage(null, MessageRole.USER,
                    MessageType.CALL, "", null, ContentType.TEXT, exactly)))).hasSize(1);
            List<NewMessage> many = new ArrayList<>();
            for (int i = 0; i < 1001; i++) {
                many.add(new NewMessage(null, MessageRole.USER, MessageType.PROGRESS, "", null, ContentType.TEXT, "m"));
            }
            assertRefused(() -> conversations.append(alice, id, many), ErrorCode.TOO_LARGE, "1001", "1000");
            assertThat(conversations.append(alice, id, many.subList(0, 1000))).hasSize(1000);
            assertThat(conversations.read(alice, id, 999, 1000).messages()).extracting(Message::index)
                    .containsExactly(1000);
        }

        @Test
        void invalidJsonContentIsRefused() {
            UUID id = conversations.create(alice, "t").id();
            assertRefused(() -> conversations.append(alice, id, List.of(new NewMessage(null, MessageRole.USER,
                    MessageType.CALL, "", null, ContentType.JSON, "{not json"))), ErrorCode.INVALID_ARGUMENT,
                    "messages[0].content", "JSON");
            assertThat(conversations.read(alice, id, -1, 10).messages()).isEmpty();
        }

        @Test
        void jsonContentRefusalsNameWhatIsWrong() {
            UUID id = conversations.create(alice, "t").id();
            assertRefused(() -> conversations.append(alice, id, List.of(json("{\"a\":\n  tru}"))),
                    ErrorCode.INVALID_ARGUMENT, "messages[0].content is not valid JSON (line 2, column");
            assertRefused(() -> conversations.append(alice, id, List.of(json("{} {}"))),
                    ErrorCode.INVALID_ARGUMENT, "messages[0].content holds more than one JSON value");
            String deep = "[".repeat(1001) + "]".repeat(1001);
            assertRefused(() -> conversations.append(alice, id, List.of(json(deep))),
                    ErrorCode.INVALID_ARGUMENT, "messages[0].content nests deeper than 1000 levels");
            assertRefused(() -> conversations.append(alice, id, List.of(json("1".repeat(1001)))),
                    ErrorCode.INVALID_ARGUMENT, "messages[0].content holds a number of over 1000 digits");
            String fine = "[".repeat(1000) + "]".repeat(1000);
            assertThat(conversations.append(alice, id, List.of(json(fine)))).hasSize(1);
        }

        private NewMessage json(String content) {
            return new NewMessage(null, MessageRole.USER, MessageType.CALL, "", null, ContentType.JSON, content);
        }

        @Test
        void unknownConversationIsNotFound() {
            UUID missing = UUID.randomUUID();
            assertRefused(() -> conversations.append(alice, missing, Turns.turn("x")), ErrorCode.NOT_FOUND,
                    missing.toString());
        }
    }

    @Nested
    class ListConversations {
        @Test
        void mineIsNewestFirstAndPaged() {
            List<UUID> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(conversations.create(alice, "c" + i).id());
            }
            conversations.create(bob, "bob's");
            ConversationPage first = conversations.list(alice, ListScope.MINE, 2, null);
            ConversationPage second = conversations.list(alice, ListScope.MINE, 2, first.nextCursor());
            ConversationPage third = conversations.list(alice, ListScope.MINE, 2, second.nextCursor());
            List<UUID> seen = new ArrayList<>();
            for (ConversationPage p : List.of(first, second, third)) {
                p.conversations().forEach(c -> seen.add(c.id()));
            }
            java.util.Collections.reverse(created);
            assertThat(seen).containsExactlyElementsOf(created);
            assertThat(third.nextCursor()).isNull();
        }

        @Test
        void sharedShowsOtherMembersConversationsSharedNow() {
            UUID shared = conversations.create(alice, "shared").id();
            conversationWithTurns(shared, 1);
            conversations.share(alice, shared, null);
            UUID privateOne = conversations.create(alice, "private").id();
            conversationWithTurns(privateOne, 1);
            UUID unshared = conversations.create(alice, "unshared").id();
            conversationWithTurns(unshared, 1);
            conversations.share(alice, unshared, null);
            conversations.unshare(alice, unshared);

            assertThat(conversations.list(bob, ListScope.SHARED, 50, null).conversations())
                    .extracting(Conversation::id).containsExactly(shared);
            assertThat(conversations.list(viewer, ListScope.SHARED, 50, null).conversations())
                    .extracting(Conversation::id).containsExactly(shared);
            // one's own shared conversations are under mine, not shared
            assertThat(conversations.list(alice, ListScope.SHARED, 50, null).conversations()).isEmpty();
        }

        @Test
        void badCursorAndLimitAreRefused() {
            assertRefused(() -> conversations.list(alice, ListScope.MINE, 50, "nonsense!"),
                    ErrorCode.INVALID_ARGUMENT, "cursor");
            assertRefused(() -> conversations.list(alice, ListScope.MINE, 0, null), ErrorCode.INVALID_ARGUMENT, "limit");
            assertRefused(() -> conversations.list(alice, ListScope.MINE, 201, null), ErrorCode.INVALID_ARGUMENT, "limit");
        }

        /**
         * Regression: a forged cursor whose time Java accepts but PostgreSQL does not (year
         * 300,000; 5000 BC) was an "internal error" with a stack trace in the log.
         */
        @Test
        void aForgedCursorWithAnOutOfRangeTimeIsABadArgument() {
            UUID any = UUID.randomUUID();
            for (long seconds : new long[] {9_000_000_000_000L, -220_000_000_000L, Long.MAX_VALUE, -1L}) {
                for (long nanos : new long[] {0, 1_000_000_000L, -5}) {
                    String raw = seconds + ":" + nanos + ":" + any;
                    String cursor = java.util.Base64.getUrlEncoder().withoutPadding()
                            .encodeToString(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    if (seconds == -1L && nanos == 0) {
                        continue; // 1969-12-31T23:59:59Z is a time a conversation may have
                    }
                    assertRefused(() -> conversations.list(alice, ListScope.MINE, 50, cursor),
                            ErrorCode.INVALID_ARGUMENT, "is not a cursor returned by list_conversations.");
                }
            }
        }
    }

    @Nested
    class Create {
        @Test
        void editorCreatesViewerMayNot() {
            Conversation c = conversations.create(alice, "  My title ");
            assertThat(c.title()).isEqualTo("My title");
            assertThat(c.ownerId()).isEqualTo("alice");
            assertThat(conversations.create(alice, null).title()).isEqualTo(Conversations.DEFAULT_TITLE);
            assertRefused(() -> conversations.create(viewer, "x"), ErrorCode.ROLE_NOT_ALLOWED, "viewer");
            assertRefused(() -> conversations.create(alice, "x".repeat(501)), ErrorCode.INVALID_ARGUMENT, "title");
        }
    }
}
