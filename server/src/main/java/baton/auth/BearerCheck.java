package baton.auth;

import baton.conversation.Identity;

/** What a bearer token turned out to be. */
public sealed interface BearerCheck {

    /** A valid token of {@code identity}; {@code oauth} when an OAuth access token (not a Baton token). */
    record Accepted(Identity identity, boolean oauth) implements BearerCheck {
    }

    /** Not a valid token (HTTP 401, {@code invalid_token}); the sentence never repeats the token. */
    record Invalid(String sentence) implements BearerCheck {
    }

    /**
     * A valid OAuth token that does not say enough to act on (HTTP 403): the sentence names what is
     * missing; {@code scope}, when set, is the scope that would help ({@code insufficient_scope}).
     */
    record Lacking(String sentence, String scope) implements BearerCheck {
    }
}
