package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.Turns;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several threads share, unshare, append and fork one conversation at once. Afterwards every fork
 * is a prefix of the source ending at a turn end, no fork of a member exceeds a boundary that held
 * while it ran, and no accepted append is lost.
 */
class ConcurrencyTest {

    private final Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());

    @Test
    void concurrentShareUnshareAppendAndForkKeepTheInvariants() throws Exception {
        String project = Turns.project();
        Identity alice = new Identity("alice", project, Role.EDITOR);
        UUID id = conversations.create(alice, "busy").id();
        conversations.append(alice, id, Turns.turn("seed"));
        conversations.share(alice, id, null, ToolResultsPolicy.ALL);

        // every boundary index that was ever set, so a member's fork can be checked against them
        List<Integer> boundariesEverSet = Collections.synchronizedList(new ArrayList<>(List.of(3)));
        List<List<UUID>> acceptedAppends = Collections.synchronizedList(new ArrayList<>());
        Map<UUID, Identity> forks = new ConcurrentHashMap<>();
        int rounds = 25;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();

        // two appenders (the owner and an admin)
        for (Identity appender : List.of(alice, new Identity("ada", project, Role.ADMIN))) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    acceptedAppends.add(conversations.append(appender, id, Turns.turn(appender.userId() + i)));
                }
                return null;
            }));
        }
        // one sharer moving the boundary around and unsharing
        done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < rounds * 2; i++) {
                if (i % 5 == 4) {
                    conversations.unshare(alice, id);
                } else {
                    List<Message> ends = conversations.readAll(alice, id).messages().stream()
                            .filter(Message::isTurnEnd).toList();
                    Message pick = ends.get(ThreadLocalRandom.current().nextInt(ends.size()));
                    boundariesEverSet.add(pick.index());
                    conversations.share(alice, id, pick.id(), ToolResultsPolicy.ALL); // this test is about boundaries
                }
            }
            return null;
        }));
        // members forking (refusals while unshared are expected) and the owner forking
        for (String member : List.of("bob", "carol", "dave", "erin", "alice")) {
            Identity forker = new Identity(member, project, Role.EDITOR);
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    try {
                        ForkResult fork = conversations.fork(forker, id, null);
                        forks.put(fork.conversation().id(), forker);
                    } catch (BatonException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        // no accepted append is lost, and each batch is contiguous and in order
        List<Message> source = conversations.readAll(alice, id).messages();
        assertThat(source).hasSize(4 + acceptedAppends.size() * 4);
        for (int i = 0; i < source.size(); i++) {
            assertThat(source.get(i).index()).isEqualTo(i);
        }
        for (List<UUID> batch : acceptedAppends) {
            int first = indexOf(source, batch.get(0));
            for (int k = 0; k < batch.size(); k++) {
                assertThat(source.get(first + k).id()).isEqualTo(batch.get(k));
            }
        }

        // every fork is a prefix ending at a turn end, within a boundary that held
        assertThat(forks).isNotEmpty();
        for (Map.Entry<UUID, Identity> entry : forks.entrySet()) {
            List<Message> copy = conversations.readAll(entry.getValue(), entry.getKey()).messages();
            assertThat(copy).isNotEmpty();
            assertThat(copy.get(copy.size() - 1).isTurnEnd()).isTrue();
            for (int i = 0; i < copy.size(); i++) {
                Message s = source.get(i);
                Message c = copy.get(i);
                assertThat(c.index()).isEqualTo(s.index());
                assertThat(c.content()).isEqualTo(s.content());
                assertThat(c.tool()).isEqualTo(s.tool());
            }
            Conversation fork = conversations.metadata(entry.getValue(), entry.getKey()).conversation();
            assertThat(fork.forkedFrom().messageId()).isEqualTo(source.get(copy.size() - 1).id());
            if (!entry.getValue().userId().equals("alice")) {
                assertThat(boundariesEverSet).contains(copy.size() - 1);
            }
        }
    }

    private static int indexOf(List<Message> messages, UUID id) {
        for (Message m : messages) {
            if (m.id().equals(id)) {
                return m.index();
            }
        }
        throw new AssertionError("accepted message " + id + " is lost");
    }
}
