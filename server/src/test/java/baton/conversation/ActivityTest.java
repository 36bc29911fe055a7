package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.Turns;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Activity: every read and fork by a non-owner is recorded, reads fold, only owners and admins list it. */
class ActivityTest {

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-30T12:00:01Z"));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    private final MovableClock clock = new MovableClock();
    private final Conversations conversations = new Conversations(TestDatabase.database(), clock);
    private final String project = Turns.project();
    private final Identity alice = new Identity("alice", project, Role.EDITOR);
    private final Identity bob = new Identity("bob", project, Role.EDITOR);
    private final Identity vera = new Identity("vera", project, Role.VIEWER);
    private final Identity ada = new Identity("ada", project, Role.ADMIN);

    private UUID sharedConversation(int turns) {
        UUID id = conversations.create(alice, "watched").id();
        for (int t = 0; t < turns; t++) {
            conversations.append(alice, id, Turns.turn("q" + t));
        }
        conversations.share(alice, id, null);
        return id;
    }

    private List<ActivityEvent> all(Identity caller, UUID id) {
        List<ActivityEvent> out = new ArrayList<>();
        String cursor = null;
        do {
            ActivityPage page = conversations.activity(caller, id, 2, cursor);
            out.addAll(page.events());
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }

    @Test
    void ownerReadsRecordNothingAndAMembersReadsFoldPerBoundaryAndWindow() {
        UUID id = sharedConversation(2);
        conversations.read(alice, id, -1, 100);
        conversations.readAll(alice, id);
        assertThat(all(alice, id)).extracting(ActivityEvent::action).containsExactly("share");

        conversations.read(bob, id, -1, 100);
        conversations.read(bob, id, 3, 100);
        conversations.metadata(bob, id);
        clock.advance(Duration.ofMinutes(1));
        conversations.readAll(bob, id);
        List<ActivityEvent> events = all(alice, id);
        assertThat(events).extracting(ActivityEvent::action).containsExactly("read", "share");
        ActivityEvent read = events.get(0);
        assertThat(read.actorId()).isEqualTo("bob");
        assertThat(read.count()).isEqualTo(4);
        assertThat(read.lastAt()).isEqualTo(read.at().plus(Duration.ofMinutes(1)));
        assertThat(read.details()).containsEntry("boundary_index", 7);

        // a new boundary is a new event; so is the next 10-minute window
        conversations.append(alice, id, Turns.turn("q2"));
        conversations.share(alice, id, null);
        conversations.read(bob, id, -1, 100);
        clock.advance(Duration.ofMinutes(10));
        conversations.read(bob, id, -1, 100);
        events = all(alice, id);
        assertThat(events).extracting(ActivityEvent::action).containsExactly("read", "read", "share", "read", "share");
        assertThat(events.get(0).details()).containsEntry("boundary_index", 11);
        assertThat(events.get(2).details()).containsEntry("shared_until_index", 11);
    }

    @Test
    void forksByOthersAndAdminReadsAreRecordedWithWhatTheyConcerned() {
        UUID id = sharedConversation(2);
        ForkResult fork = conversations.fork(bob, id, null);
        conversations.fork(alice, id, null); // the owner's own fork: not an access by someone else
        conversations.read(ada, id, -1, 10);
        conversations.unshare(alice, id);
        List<ActivityEvent> events = all(ada, id);
        assertThat(events).extracting(ActivityEvent::action).containsExactly("unshare", "read", "fork", "share");
        assertThat(events.get(1).actorId()).isEqualTo("ada");
        assertThat(events.get(1).details()).containsEntry("boundary_message_id", null);
        assertThat(events.get(2).details()).containsEntry("fork_id", fork.conversation().id().toString())
                .containsEntry("copied_messages", 8).containsEntry("copied_up_to_index", 7);
    }

    @Test
    void onlyTheOwnerAndAdminsListActivityAndABadCursorIsOneSentence() {
        UUID id = sharedConversation(1);
        assertThatThrownBy(() -> conversations.activity(bob, id, null, null)).isInstanceOfSatisfying(BatonException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        assertThatThrownBy(() -> conversations.activity(vera, id, null, null)).isInstanceOf(BatonException.class);
        Identity stranger = new Identity("alice", Turns.project(), Role.ADMIN);
        assertThatThrownBy(() -> conversations.activity(stranger, id, null, null)).isInstanceOfSatisfying(
                BatonException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> conversations.activity(alice, id, null, "nonsense")).isInstanceOfSatisfying(
                BatonException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "cursor 'nonsense' is not a cursor returned by conversation_activity."));
        assertThatThrownBy(() -> conversations.activity(alice, id, 201, null)).hasMessageContaining("limit");
        // a refused listing is not a read: bob's attempt left nothing
        assertThat(all(alice, id)).extracting(ActivityEvent::action).containsExactly("share");
    }

    /**
     * The audit guarantee: random reads and forks through every entry of Conversations by members,
     * a viewer and an admin, then the activity holds each of them (counted), and nothing for the
     * owner. Fails when any route reads or forks without recording.
     */
    @Test
    void everyReadAndForkByANonOwnerIsInTheActivity() {
        Random random = new Random(13);
        List<UUID> ids = List.of(sharedConversation(2), sharedConversation(3));
        List<Identity> readers = List.of(bob, vera, ada, alice);
        Map<String, Integer> expectedReads = new HashMap<>();
        Map<String, Integer> expectedForks = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            UUID id = ids.get(random.nextInt(ids.size()));
            Identity who = readers.get(random.nextInt(readers.size()));
            String key = id + " " + who.userId();
            switch (random.nextInt(4)) {
                case 0 -> conversations.read(who, id, random.nextInt(3) - 1, 1 + random.nextInt(5));
                case 1 -> conversations.metadata(who, id);
                case 2 -> conversations.readAll(who, id);
                default -> {
                    if (who.role().canWrite()) {
                        conversations.fork(who, id, null);
                        if (!who.equals(alice)) {
                            expectedForks.merge(key, 1, Integer::sum);
                        }
                    }
                    continue;
                }
            }
            if (!who.equals(alice)) {
                expectedReads.merge(key, 1, Integer::sum);
            }
        }
        Map<String, Integer> reads = new HashMap<>();
        Map<String, Integer> forks = new HashMap<>();
        for (UUID id : ids) {
            for (ActivityEvent e : all(alice, id)) {
                String key = id + " " + e.actorId();
                if (e.action().equals("read")) {
                    reads.merge(key, e.count(), Integer::sum);
                } else if (e.action().equals("fork")) {
                    forks.merge(key, e.count(), Integer::sum);
                }
            }
        }
        assertThat(reads).isEqualTo(expectedReads);
        assertThat(forks).isEqualTo(expectedForks);
    }

    @Test
    void exportListsAProjectsEventsOldestFirstFromATime() {
        UUID id = sharedConversation(1);
        clock.advance(Duration.ofHours(1));
        Instant later = clock.instant();
        conversations.read(bob, id, -1, 10);
        List<ActivityEvent> exported = new ArrayList<>();
        assertThat(conversations.exportActivity(project, Instant.EPOCH, exported::add)).isEqualTo(2);
        assertThat(exported).extracting(ActivityEvent::action).containsExactly("share", "read");
        exported.clear();
        conversations.exportActivity(project, later, exported::add);
        assertThat(exported).extracting(ActivityEvent::action).containsExactly("read");
    }

    /**
     * Regression: the counts of reads folded in memory (added to their event every second) were
     * lost when the process ended, as nothing added them at shutdown.
     */
    @Test
    void readsStillFoldedInMemoryReachTheActivityWhenTheProcessCloses() {
        UUID id = sharedConversation(1);
        Conversations process = new Conversations(TestDatabase.database(), clock);
        process.read(bob, id, -1, 10); // written before it is answered
        process.read(bob, id, -1, 10); // folded in this process's memory
        process.metadata(bob, id);
        process.close();
        // listed by another process, which has no fold of its own to add
        ActivityEvent read = all(alice, id).get(0);
        assertThat(read.action()).isEqualTo("read");
        assertThat(read.count()).isEqualTo(3);

        // once closed, a read is written by itself: nothing is folded where no task would add it
        process.read(bob, id, -1, 10);
        assertThat(all(alice, id).get(0).count()).isEqualTo(4);
    }
}
