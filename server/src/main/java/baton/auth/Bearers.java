package baton.auth;

import baton.conversation.Identity;
import java.util.Objects;
import java.util.Optional;

/**
 * Which check a bearer token gets: a JWT (three dot-separated base64url parts) is an OAuth access
 * token and goes to {@link AccessTokens} when an issuer is configured; anything else is a Baton
 * token ({@code baton_…}, no dots) and goes to {@link Tokens}, or, when it is neither and an
 * introspection endpoint is configured, to {@link Introspection}. The two kinds cannot be mistaken
 * for each other: a Baton token never contains a dot.
 */
public final class Bearers {

    private final Tokens tokens;
    private final AccessTokens oauth;
    private final Introspection introspection;
    private final Identity everyone;

    public Bearers(Tokens tokens, AccessTokens oauth, Introspection introspection) {
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.oauth = oauth;
        this.introspection = introspection;
        this.everyone = null;
    }

    private Bearers(Identity everyone) {
        this.tokens = null;
        this.oauth = null;
        this.introspection = null;
        this.everyone = Objects.requireNonNull(everyone, "everyone must not be null");
    }

    /**
     * Any bearer at all acts as {@code everyone}: the "no check" baseline of {@code bench http}
     * only. {@code serve} never builds this.
     */
    public static Bearers uncheckedForBenchmark(Identity everyone) {
        return new Bearers(everyone);
    }

    /** Baton tokens only. */
    public static Bearers batonTokens(Tokens tokens) {
        return new Bearers(tokens, null, null);
    }

    public boolean oauth() {
        return oauth != null;
    }

    /** Checks a token; a {@link baton.conversation.BatonException} when the database cannot say. */
    public BearerCheck check(String token) {
        if (everyone != null) {
            return new BearerCheck.Accepted(everyone, false);
        }
        if (oauth != null && AccessTokens.looksLikeJwt(token)) {
            return oauth.check(token);
        }
        if (introspection != null && !token.startsWith(Tokens.PREFIX)) {
            return introspection.check(token);
        }
        Optional<Identity> identity = tokens.authenticate(token);
        if (identity.isPresent()) {
            return new BearerCheck.Accepted(identity.get(), false);
        }
        return new BearerCheck.Invalid(oauth != null
                ? "The bearer token is not valid (not an access token of this server's issuer, nor a Baton token that"
                        + " exists and is neither revoked nor expired)."
                : "The bearer token is not valid (malformed, unknown, revoked or expired).");
    }
}
