package baton.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 5: the ids an SSE stream's events get, and what a client that resumes it gets.
 * Before, every answer event carried the session id as its id (the SDK's default), so ids repeated
 * across every stream of a session, and nothing was kept to resume from.
 */
class SseStreamTest {

    private static final String PROGRESS = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}";
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}";

    private final List<String> disconnected = new ArrayList<>();
    private final SseStream.Watcher watcher = new SseStream.Watcher() {
        @Override
        public void disconnected(SseStream stream) {
            disconnected.add(stream.id());
        }

        @Override
        public void resumed(SseStream stream) {
        }
    };

    @Test
    void eachEventGetsTheStreamsOwnNumberedIdInPlaceOfTheTransportsAndTheAnswerEndsTheStream() {
        Recorder client = new Recorder(true);
        SseStream stream = new SseStream("s1", false, client, watcher);
        stream.prime();
        PrintWriter transport = stream.writer();
        transport.write("id: session-id\nevent: message\ndata: " + PROGRESS + "\n\n");
        transport.write("id: session-id\nevent: message\n"); // an event may come in pieces
        transport.write("data: " + ANSWER + "\n\n");
        transport.flush();

        assertThat(client.written).containsExactly(
                "id: s1-1\ndata: \n\n",
                "id: s1-2\nevent: message\ndata: " + PROGRESS + "\n\n",
                "id: s1-3\nevent: message\ndata: " + ANSWER + "\n\n");
        assertThat(stream.finished()).isTrue();
        assertThat(stream.heartbeat()).as("no keep-alives after the answer").isFalse();
        assertThat(transport.checkError()).isFalse();
    }

    @Test
    void aClientThatResumesGetsTheEventsAfterItsLastIdThenTheRestAndTheStreamEndsAfterTheAnswer() {
        Recorder first = new Recorder(true);
        SseStream stream = new SseStream("s2", false, first, watcher);
        stream.prime();
        PrintWriter transport = stream.writer();
        first.alive = false; // the client went away
        transport.write("event: message\ndata: " + PROGRESS + "\n\n");
        assertThat(disconnected).containsExactly("s2");
        assertThat(stream.detached()).isTrue();
        transport.write("event: message\ndata: " + PROGRESS + "\n\n");

        Recorder resumer = new Recorder(true);
        assertThat(stream.resume(1, resumer)).as("nothing was dropped").isTrue();
        assertThat(resumer.written).extracting(t -> t.substring(0, t.indexOf('\n'))).containsExactly("id: s2-2", "id: s2-3");
        assertThat(stream.detached()).isFalse();

        transport.write("event: message\ndata: " + ANSWER + "\n\n");
        assertThat(resumer.written).hasSize(3);
        assertThat(resumer.ended).isTrue();

        Recorder late = new Recorder(true);
        stream.resume(3, late);
        assertThat(late.written).extracting(t -> t.substring(0, t.indexOf('\n'))).containsExactly("id: s2-4");
        assertThat(late.ended).as("a finished stream ends after the replay").isTrue();
    }

    @Test
    void onlyTheLatestEventsAreKept() {
        SseStream stream = new SseStream("s3", false, new Recorder(true), watcher);
        PrintWriter transport = stream.writer();
        for (int i = 0; i < SseStream.MAX_EVENTS + 10; i++) {
            transport.write("data: " + PROGRESS + "\n\n");
        }
        Recorder resumer = new Recorder(true);
        assertThat(stream.resume(0, resumer)).as("the first events were dropped").isFalse();
        assertThat(resumer.written).hasSize(SseStream.MAX_EVENTS);
        assertThat(resumer.written.get(0)).startsWith("id: s3-11\n");
    }

    /** A client connection that records what reaches it. */
    private static final class Recorder implements SseStream.Sink {
        final List<String> written = new ArrayList<>();
        boolean alive;
        boolean ended;

        Recorder(boolean alive) {
            this.alive = alive;
        }

        @Override
        public boolean write(String text) {
            if (alive) {
                written.add(text);
            }
            return alive;
        }

        @Override
        public void end() {
            ended = true;
        }
    }
}
