package baton.mcp.stdio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits stdin into lines of bytes, each at most {@code max} bytes. A longer line is skipped to its
 * newline; only its first {@value #KEPT_OF_LONG_LINE} bytes are kept, so that its id can still be
 * found. A last line without a newline is still a line. A carriage return before the newline is
 * left out.
 */
final class LineReader {

    /** How much of an over-long line is kept to find its id in. */
    static final int KEPT_OF_LONG_LINE = 64 * 1024;

    /** One line: its bytes, or the start of them when it was longer than allowed. */
    record Line(byte[] bytes, boolean tooLong) {
    }

    private final InputStream in;
    private final int max;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int end;
    private byte[] line = new byte[8 * 1024];
    private int length;

    LineReader(InputStream in, int max) {
        this.in = in;
        this.max = max;
    }

    /** The next line, or null at the end of input. */
    Line next() throws IOException {
        length = 0;
        long total = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    return any ? done(total) : null;
                }
                pos = 0;
                end = n;
                continue;
            }
            any = true;
            int newline = -1;
            for (int i = pos; i < end; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int stop = newline < 0 ? end : newline;
            int count = stop - pos;
            total += count;
            keep(pos, count, total);
            pos = newline < 0 ? end : newline + 1;
            if (newline >= 0) {
                return done(total);
            }
        }
    }

    /** Keeps what fits: the whole line while it is within the limit, else only its start. */
    private void keep(int from, int count, long total) {
        int room = (total > max ? KEPT_OF_LONG_LINE : max) - length;
        int n = Math.max(0, Math.min(count, room));
        if (n == 0) {
            return;
        }
        if (length + n > line.length) {
            int capacity = Math.max(max, KEPT_OF_LONG_LINE);
            line = Arrays.copyOf(line, (int) Math.min(capacity, Math.max((long) line.length * 2, length + n)));
        }
        System.arraycopy(buffer, from, line, length, n);
        length += n;
    }

    private Line done(long total) {
        boolean tooLong = total - (endsWithReturn(total) ? 1 : 0) > max;
        int size = tooLong ? Math.min(length, KEPT_OF_LONG_LINE) : length - (endsWithReturn(total) ? 1 : 0);
        Line result = new Line(Arrays.copyOf(line, size), tooLong);
        if (line.length > 1024 * 1024) {
            line = new byte[8 * 1024]; // a big line's buffer is not held for the rest of the session
        }
        return result;
    }

    private boolean endsWithReturn(long total) {
        return total <= max && length > 0 && line[length - 1] == '\r';
    }
}
