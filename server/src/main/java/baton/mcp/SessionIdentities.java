package baton.mcp;

import baton.conversation.Identity;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The caller of each MCP session's latest request, for a transport whose caller may change from
 * request to request (HTTP: each request carries its own token). Bounded, least recently used
 * first out; a forgotten session hears of no resource updates until its next request.
 */
public final class SessionIdentities {

    private final Map<String, Identity> identities;

    public SessionIdentities(int capacity) {
        this.identities = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Identity> eldest) {
                return size() > capacity;
            }
        });
    }

    /** A request of {@code sessionId} came from {@code identity}. */
    public void seen(String sessionId, Identity identity) {
        if (sessionId != null && !sessionId.isBlank() && identity != null) {
            identities.put(sessionId, identity);
        }
    }

    public Optional<Identity> of(String sessionId) {
        return sessionId == null ? Optional.empty() : Optional.ofNullable(identities.get(sessionId));
    }

    public void forget(String sessionId) {
        if (sessionId != null) {
            identities.remove(sessionId);
        }
    }
}
