package baton.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * A way for a person to prove who they are before a web session opens, beside the built-in form
 * that takes a Baton token once. The seam for OAuth's authorization code flow with PKCE: such a
 * flow answers {@code /signin/{name}} (redirect to the issuer, keeping its state and verifier in a
 * short-lived cookie of its own) and {@code /signin/{name}/callback} (exchange the code, return the
 * identity); {@link WebPages} then opens the session and sets its cookie exactly as for a token.
 * The sign-in page shows one button per flow.
 */
public interface SignInFlow {

    /** The path segment after {@code /signin/}: lowercase letters only. */
    String name();

    /** The button's label on the sign-in page, e.g. "Sign in with Example SSO". */
    String label();

    /**
     * Answers a GET to {@code /signin/{name}} or below. Returns the person once proven; otherwise
     * writes its own answer (a redirect to the issuer, or a page saying what went wrong) and
     * returns empty, or throws {@link Refused} for the page to say what went wrong. Nothing
     * sensitive may go into a URL Baton serves or a log line.
     */
    Optional<SignedIn> handle(HttpServletRequest request, HttpServletResponse response, String rest)
            throws IOException;

    /** The sign-in ends here: the HTTP status and the one sentence the page shows. */
    final class Refused extends RuntimeException {
        private final int status;

        public Refused(int status, String sentence) {
            super(sentence, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
