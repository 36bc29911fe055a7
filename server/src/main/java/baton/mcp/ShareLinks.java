package baton.mcp;

import java.util.Optional;
import java.util.UUID;

/**
 * The address of a conversation's web page, for {@code share_conversation}'s {@code share_url}:
 * present only when Baton serves the pages ({@code serve --http --public-url}). Implemented by the
 * pages' side and wired by the command line, so this room knows no URL rules.
 */
@FunctionalInterface
public interface ShareLinks {

    ShareLinks NONE = id -> Optional.empty();

    Optional<String> of(UUID conversationId);
}
