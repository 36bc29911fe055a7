package baton.http;

import baton.mcp.JsonBudget;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/**
 * What reading one request body may cost, whoever sends it (even a viewer):
 * <ul>
 *   <li>at most {@code maxRequestBytes};</li>
 *   <li>at most the {@link JsonBudget}'s values and depth, counted while the bytes arrive (nothing is
 *       built from them until the count is known to be within it);</li>
 *   <li>bodies over {@link #LARGE_BODY_BYTES} need one of {@code maxLargeBodies} places for large
 *       bodies in flight on this instance, or get 503 with Retry-After;</li>
 *   <li>after {@link LimitSettings#UPLOAD_GRACE} a body must keep arriving at {@code minUploadRate}
 *       bytes per second on average, or it gets 408 (a slow upload holds a server thread);</li>
 *   <li>a body that stops arriving for {@link #MAX_STALL} (or the idle timeout, when shorter) gets
 *       408 too: while a body is read, the connection's idle timeout is that short.</li>
 * </ul>
 * Each refusal closes the connection: the rest of the body is never read.
 */
final class BodyLimits {

    /** A body over 1 MiB is a large one: fewer of them may be read at once. */
    static final long LARGE_BODY_BYTES = 1024 * 1024;
    private static final String HOLDS_LARGE = "baton.largeBody";
    /** The longest a body may stop arriving (or the idle timeout, when shorter). */
    static final java.time.Duration MAX_STALL = java.time.Duration.ofSeconds(10);

    private final long maxRequestBytes;
    private final JsonBudget json;
    private final int maxLargeBodies;
    private final Semaphore large;
    private final long minUploadRate;
    private final long graceNanos;
    private final LongSupplier nanoTime;
    private final long stallMillis;

    /** A body read in full, or why it was not. */
    sealed interface Result {
    }

    record Body(byte[] bytes) implements Result {
    }

    /**
     * The answer instead of reading on; {@code retryAfterSeconds} is 0 for none; {@code id} is the
     * JSON-RPC id of the refused request when it was read before the refusal (else null).
     */
    record Refusal(int status, String sentence, long retryAfterSeconds, Object id) implements Result {
        Refusal(int status, String sentence, long retryAfterSeconds) {
            this(status, sentence, retryAfterSeconds, null);
        }
    }

    BodyLimits(LimitSettings limits, long maxRequestBytes) {
        this(limits, maxRequestBytes, System::nanoTime);
    }

    BodyLimits(LimitSettings limits, long maxRequestBytes, LongSupplier nanoTime) {
        this.maxRequestBytes = maxRequestBytes;
        this.json = limits.json();
        this.maxLargeBodies = limits.maxLargeBodies();
        this.large = new Semaphore(limits.maxLargeBodies());
        this.minUploadRate = limits.minUploadRate();
        this.graceNanos = LimitSettings.UPLOAD_GRACE.toNanos();
        this.nanoTime = nanoTime;
        this.stallMillis = Math.min(limits.idleTimeout().toMillis(), MAX_STALL.toMillis());
    }

    /** Reads the body of {@code request} within the limits. */
    Result read(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        boolean holdsLarge = false;
        if (declared > LARGE_BODY_BYTES) {
            if (!large.tryAcquire()) {
                return busy();
            }
            holdsLarge = true;
        }
        EndPoint endPoint = endPointOf(request);
        long idleBefore = endPoint == null ? 0 : endPoint.getIdleTimeout();
        if (endPoint != null && idleBefore > stallMillis) {
            endPoint.setIdleTimeout(stallMillis); // a body that stops arriving does not hold a thread for long
        }
        try {
            boolean utf8 = isUtf8(request);
            JsonBudget.Scan scan = utf8 ? json.scan("the request body") : null;
            ByteArrayOutputStream body = new ByteArrayOutputStream(
                    declared > 0 ? (int) Math.min(declared, maxRequestBytes) : 8192);
            byte[] buffer = new byte[16384];
            long start = nanoTime.getAsLong();
            try (InputStream in = request.getInputStream()) {
                for (int n; (n = readOrStall(in, buffer)) >= 0; ) {
                    if (body.size() + (long) n > maxRequestBytes) {
                        return new Refusal(413, "The request body is over the " + maxRequestBytes
                                + " bytes this server accepts.", 0);
                    }
                    if (!holdsLarge && body.size() + (long) n > LARGE_BODY_BYTES) {
                        if (!large.tryAcquire()) {
                            return busy();
                        }
                        holdsLarge = true;
                    }
                    body.write(buffer, 0, n);
                    String problem = scan == null ? null : scan.feed(buffer, 0, n);
                    if (problem != null) {
                        return new Refusal(400, problem, 0, scan.id());
                    }
                    Refusal slow = tooSlow(body.size(), start);
                    if (slow != null) {
                        return slow;
                    }
                }
            }
            String problem;
            if (scan != null) {
                problem = scan.end();
                if (problem != null) {
                    return new Refusal(400, problem, 0, scan.id());
                }
            } else {
                byte[] asUtf8 = body.toString(charsetOf(request)).getBytes(StandardCharsets.UTF_8);
                problem = json.check(asUtf8, 0, asUtf8.length, "the request body");
            }
            if (problem != null) {
                return new Refusal(400, problem, 0);
            }
            Body read = new Body(body.toByteArray());
            if (holdsLarge) {
                // held until the request is done: the message is parsed (twice) after this
                request.setAttribute(HOLDS_LARGE, Boolean.TRUE);
                holdsLarge = false;
            }
            return read;
        } catch (Stalled stalled) {
            return new Refusal(408, "The request body stopped arriving for " + Math.max(1, stallMillis / 1000)
                    + " seconds; send it again.", 0);
        } finally {
            if (endPoint != null && idleBefore > stallMillis) {
                endPoint.setIdleTimeout(idleBefore);
            }
            if (holdsLarge) {
                large.release();
            }
        }
    }

    /** A read that failed: the body stopped arriving (the idle timeout above) or its connection broke. */
    private static final class Stalled extends IOException {
        Stalled(IOException cause) {
            super(cause);
        }
    }

    private static int readOrStall(InputStream in, byte[] buffer) throws Stalled {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw new Stalled(e);
        }
    }

    /** Jetty's end of the connection, to bound how long a read may wait; null outside Jetty. */
    private static EndPoint endPointOf(HttpServletRequest request) {
        try {
            ServletContextRequest core = ServletContextRequest.getServletContextRequest(request);
            return core == null ? null : core.getConnectionMetaData().getConnection().getEndPoint();
        } catch (RuntimeException notJetty) {
            return null;
        }
    }

    /** Gives back the place of a large body read for {@code request}, once it is done; safe to call for any request. */
    void done(HttpServletRequest request) {
        if (request.getAttribute(HOLDS_LARGE) != null) {
            request.removeAttribute(HOLDS_LARGE);
            large.release();
        }
    }

    private Refusal tooSlow(long bytes, long start) {
        long elapsed = nanoTime.getAsLong() - start;
        if (minUploadRate <= 0 || elapsed <= graceNanos) {
            return null;
        }
        double rate = bytes / (elapsed / 1e9);
        if (rate >= minUploadRate) {
            return null;
        }
        return new Refusal(408, "The request body arrived at " + Math.round(rate) + " bytes per second; this server"
                + " needs at least " + minUploadRate + " after the first " + LimitSettings.UPLOAD_GRACE.toSeconds()
                + " seconds.", 0);
    }

    private Refusal busy() {
        return new Refusal(503, "This server is reading as many large request bodies as it takes at once ("
                + maxLargeBodies + "); send this one again in a moment.", 1);
    }

    /** Large bodies being read now (for tests and figures). */
    int largeInFlight() {
        return maxLargeBodies - large.availablePermits();
    }

    /**
     * Whether the body is to be UTF-8 (no charset named, or UTF-8): the transport decodes it
     * leniently, so bytes that are not UTF-8 would become U+FFFD and be stored as if sent; the
     * message gate refuses them naming the field that holds them ({@code InvalidUtf8}).
     */
    static boolean isUtf8(HttpServletRequest request) {
        String name = request.getCharacterEncoding();
        return name == null || name.equalsIgnoreCase("utf-8") || name.equalsIgnoreCase("utf8");
    }

    /** The charset the transport decodes the body with: the request's, else UTF-8. */
    static Charset charsetOf(HttpServletRequest request) {
        String name = request.getCharacterEncoding();
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
            return StandardCharsets.UTF_8;
        }
    }
}
