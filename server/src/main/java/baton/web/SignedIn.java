package baton.web;

import baton.conversation.Identity;
import java.util.Objects;
import java.util.UUID;

/**
 * A person who proved who they are.
 *
 * @param tokenId the Baton token they signed in with (the session ends when it is revoked), or null
 */
public record SignedIn(Identity identity, UUID tokenId) {
    public SignedIn {
        Objects.requireNonNull(identity, "identity must not be null");
    }
}
