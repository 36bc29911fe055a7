package baton.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Lets a stdio client close stdin right after its last request and still get every answer.
 *
 * <p>The SDK's stdio transport stops writing once it reads the end of stdin, dropping answers
 * not yet written (a client that pipes a few requests and closes stdin would lose them). So the
 * end of stdin is held back until every request read so far has been answered, or until
 * {@code grace} has passed, and only then passed on, and the latch counted down.
 */
final class StdioDrain {

    private static final JsonFactory JSON = new JsonFactory();

    private final CountDownLatch closed = new CountDownLatch(1);
    private final Duration grace;
    private int pending;

    StdioDrain(Duration grace) {
        this.grace = grace;
    }

    /** Counted down once stdin has ended and the answers owed were written (or grace ran out). */
    CountDownLatch closed() {
        return closed;
    }

    InputStream input(InputStream stdin) {
        return new Requests(stdin);
    }

    OutputStream output(OutputStream stdout) {
        return new Answers(stdout);
    }

    private synchronized void requestRead() {
        pending++;
    }

    private synchronized void answerWritten() {
        pending = Math.max(0, pending - 1);
        notifyAll();
    }

    private synchronized void awaitAnswers() throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (pending > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * 1 for a request (id and method), -1 for an answer (result or error), 0 for anything else. An
     * answer is known by its first member named result or error, so the result itself, which may
     * be large, is not read again.
     */
    private static int kind(byte[] line, int length) {
        boolean id = false;
        boolean method = false;
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                switch (p.currentName()) {
                    case "result", "error" -> {
                        return -1;
                    }
                    case "id" -> id = true;
                    case "method" -> method = true;
                    default -> {
                    }
                }
                if (id && method) {
                    return 1;
                }
                p.nextToken();
                p.skipChildren();
            }
        } catch (IOException e) {
            return 0; // the transport reports a malformed line itself
        }
        return 0;
    }

    /** Splits stdin into lines as it passes them on, to count the requests. */
    private final class Requests extends FilterInputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean ended;

        Requests(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            int n = super.read(b, off, len);
            if (n < 0) {
                if (line.size() > 0) {
                    lineDone();
                }
                try {
                    awaitAnswers();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ended = true;
                closed.countDown();
                return -1;
            }
            int start = off;
            for (int i = off; i < off + n; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    lineDone();
                    start = i + 1;
                }
            }
            line.write(b, start, off + n - start);
            return n;
        }

        private void lineDone() {
            if (kind(line.toByteArray(), line.size()) > 0) {
                requestRead();
            }
            line.reset();
        }
    }

    /** Passes the transport's output on, counting the answers in it. */
    private final class Answers extends FilterOutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Answers(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    // flushed before it counts, so the end of stdin never overtakes an answer
                    out.flush();
                    if (kind(line.toByteArray(), line.size()) < 0) {
                        answerWritten();
                    }
                    line.reset();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }
    }
}
