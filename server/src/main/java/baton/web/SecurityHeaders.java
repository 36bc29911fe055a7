package baton.web;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The headers every answer of the pages carries. The CSP allows scripts only with this answer's
 * nonce (no inline script, no eval), styles and images only from Baton itself, forms only to
 * Baton, no plugins, no {@code <base>}, and no framing ({@code frame-ancestors 'none'}, with
 * {@code X-Frame-Options: DENY} for older browsers). Pages are not cached and send a Referer to Baton only.
 */
final class SecurityHeaders {

    private SecurityHeaders() {
    }

    static String policy(String nonce) {
        return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src 'self';"
                + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    }

    static void apply(HttpServletResponse response, String nonce) {
        response.setHeader("Content-Security-Policy", policy(nonce));
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on its own form posts
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    }
}
