package baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE stream of a session (a POST's answer stream, or the GET listening stream) as the
 * transport writes it, on its way to the client. Each complete event gets the id
 * {@code <streamId>-<seq>} (unique in the session, naming its stream, as the MCP transport rules
 * ask for resumability) in place of the one the transport gave, is kept in a bounded buffer, and
 * goes to whichever connection currently carries the stream: the one that opened it, or the GET
 * that resumed it with {@code Last-Event-ID}. Write failures never reach the transport, so the
 * turn behind the stream goes on while its client reconnects.
 */
final class SseStream {

    private static final Logger log = LoggerFactory.getLogger(SseStream.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events kept for a client that resumes; older ones are dropped first. */
    static final int MAX_EVENTS = 256;
    /** Characters of events kept, beyond the last event (an answer may be large). */
    static final int MAX_KEPT_CHARS = 4 << 20;

    /** Where the stream's text goes: one HTTP response. */
    interface Sink {
        /** Writes and flushes; false when the client is gone. */
        boolean write(String text);

        /** Ends the response (the stream is over). */
        void end();
    }

    /** Hears that the client of a stream went away, or that one resumed it. */
    interface Watcher {
        void disconnected(SseStream stream);

        void resumed(SseStream stream);
    }

    private record Event(long seq, String text) {
    }

    private final String id;
    private final boolean listening;
    private final Watcher watcher;
    private final Deque<Event> events = new ArrayDeque<>();
    private final StringBuilder pending = new StringBuilder();
    private long seq;
    private long kept;
    private Sink sink;
    private boolean finished;
    private long finishedAt;
    private long lastEventAt = System.nanoTime();

    SseStream(String id, boolean listening, Sink first, Watcher watcher) {
        this.id = id;
        this.listening = listening;
        this.sink = first;
        this.watcher = watcher;
    }

    String id() {
        return id;
    }

    boolean listening() {
        return listening;
    }

    /** The writer the transport gets in place of the response's own. */
    PrintWriter writer() {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                take(new String(chars, offset, length));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        }) {
            @Override
            public boolean checkError() {
                return false; // a gone client is the stream's business, not the transport's
            }
        };
    }

    /** The priming event the 2025-11-25 rules recommend: an id and empty data, so a client can resume at once. */
    synchronized void prime() {
        emit("data: \n", false);
    }

    /** Text from the transport: complete events (ending with a blank line) go out, the rest waits. */
    private synchronized void take(String text) {
        pending.append(text);
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            String event = pending.substring(0, end + 1);
            pending.delete(0, end + 2);
            StringBuilder kept = new StringBuilder();
            String data = null;
            for (String line : event.split("\n")) {
                if (line.startsWith("id:")) {
                    continue; // the transport's id is replaced by this stream's own
                }
                if (line.startsWith("data:")) {
                    data = line.substring(5).strip();
                }
                kept.append(line).append('\n');
            }
            emit(kept.toString(), isAnswer(data));
        }
    }

    private void emit(String body, boolean answer) {
        if (finished) {
            return;
        }
        lastEventAt = System.nanoTime();
        long next = ++seq;
        String text = "id: " + id + "-" + next + "\n" + body + "\n";
        events.addLast(new Event(next, text));
        kept += text.length();
        while (events.size() > MAX_EVENTS || events.size() > 1 && kept > MAX_KEPT_CHARS) {
            kept -= events.removeFirst().text().length();
        }
        deliver(text);
        if (answer && !listening) {
            finish(); // the answer is the stream's last event
        }
    }

    private void deliver(String text) {
        if (sink != null && !sink.write(text)) {
            lost("a write failed");
        }
    }

    /** An SSE comment, to find out whether the client is still there; false when the stream is over. */
    synchronized boolean heartbeat() {
        return heartbeat(0);
    }

    /**
     * As {@link #heartbeat()}; a listening stream that carried no event for longer than
     * {@code idleNanos} (when positive) is ended instead, since keep-alives alone would hold its
     * connection forever. The client opens a new one when it wants to listen again.
     */
    synchronized boolean heartbeat(long idleNanos) {
        if (finished) {
            return false;
        }
        if (listening && idleNanos > 0 && System.nanoTime() - lastEventAt > idleNanos) {
            lost("it carried no event for " + java.time.Duration.ofNanos(idleNanos).toSeconds() + " s");
            return false;
        }
        if (sink != null && !sink.write(": keep-alive\n\n")) {
            lost("a keep-alive write failed");
        }
        return true;
    }

    /** The events after {@code lastSeq} still kept, as written. */
    synchronized List<String> missedSince(long lastSeq) {
        List<String> missed = new ArrayList<>();
        for (Event e : events) {
            if (e.seq() > lastSeq) {
                missed.add(e.text());
            }
        }
        return missed;
    }

    /** The connection carrying the stream reported a failure (the container saw the client go). */
    synchronized void connectionFailed(Sink failed) {
        if (sink == failed) {
            lost("the connection failed");
        }
    }

    private void lost(String how) {
        Sink gone = sink;
        sink = null;
        if (listening) {
            // A listening stream is not kept for nobody: its response is completed, so the transport
            // drops it; a GET with Last-Event-ID replays what was kept, then opens a new one.
            log.debug("the client of listening stream {} went away ({})", id, how);
            finish();
            if (gone != null) {
                CompletableFuture.runAsync(gone::end); // outside this lock: the transport's listener takes its own
            }
            return;
        }
        log.info("the client of SSE stream {} went away ({}); it may resume with Last-Event-ID", id, how);
        watcher.disconnected(this);
    }

    /** Whether no connection carries the stream now. */
    synchronized boolean detached() {
        return sink == null && !finished;
    }

    /**
     * Hands the stream to a connection that resumed it after event {@code lastSeq}: the events
     * after it first, then the rest as it comes; ended at once when the stream is over.
     *
     * @return false when events after {@code lastSeq} were dropped already (the replay has a gap)
     */
    synchronized boolean resume(long lastSeq, Sink resumer) {
        boolean complete = events.isEmpty() || events.peekFirst().seq() <= lastSeq + 1;
        List<String> missed = missedSince(lastSeq);
        Sink previous = sink;
        sink = resumer;
        if (previous != null && previous != resumer) {
            previous.end(); // one connection per stream
        }
        for (String text : missed) {
            if (!resumer.write(text)) {
                lost("a replay write failed");
                return complete;
            }
        }
        if (finished) {
            sink = null;
            resumer.end();
        } else {
            watcher.resumed(this);
        }
        return complete;
    }

    /** The stream is over: a connection that resumed it is ended; the buffer stays for late resumers. */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        finishedAt = System.nanoTime();
        Sink last = sink;
        sink = null;
        if (last != null) {
            last.end();
        }
    }

    synchronized boolean finished() {
        return finished;
    }

    /** When it finished, in {@link System#nanoTime()}; meaningful once {@link #finished()}. */
    synchronized long finishedAt() {
        return finishedAt;
    }

    private static boolean isAnswer(String data) {
        if (data == null || data.isEmpty() || !data.contains("\"id\"")) {
            return false;
        }
        try {
            JsonNode message = JSON.readTree(data);
            return message.isObject() && message.has("id") && !message.has("method");
        } catch (IOException notJson) {
            return false;
        }
    }

    /**
     * The connection that opened the stream; its end belongs to the transport, which completes
     * the response itself.
     */
    static final class OpeningSink implements Sink {
        private final PrintWriter out;
        private volatile AsyncContext async;

        OpeningSink(PrintWriter out) {
            this.out = out;
        }

        /** The response's async context, completed when a listening stream's client is gone. */
        void completes(AsyncContext context) {
            this.async = context;
        }

        @Override
        public boolean write(String text) {
            try {
                out.write(text);
                out.flush();
                return !out.checkError();
            } catch (RuntimeException e) {
                return false; // the response was completed or recycled under us
            }
        }

        @Override
        public void end() {
            AsyncContext context = async;
            if (context != null) {
                try {
                    context.complete();
                } catch (IllegalStateException alreadyDone) {
                    // the transport completed it first
                }
            }
        }
    }
}
