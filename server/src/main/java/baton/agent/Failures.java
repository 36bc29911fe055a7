package baton.agent;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Short, plain descriptions of why a call to a model or an upstream failed. */
final class Failures {

    static final int MAX_DETAIL = 300;

    private Failures() {
    }

    /** A lower-case clause such as "no answer within 30 s" or "connection refused". */
    static String sentence(Throwable failure, Duration timeout) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException
                    || t instanceof dev.langchain4j.exception.TimeoutException) {
                return "no answer within " + seconds(timeout);
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return shorten(message);
    }

    /** The first line of a message, cut at {@value #MAX_DETAIL} characters. */
    static String shorten(String message) {
        String line = message.strip().lines().findFirst().orElse("");
        return line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) + "…" : line;
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
