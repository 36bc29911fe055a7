package baton.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which caller opened each MCP session on this instance. A session id is not a credential: a
 * request naming a session opened by someone else is answered as if the session did not exist.
 * Bounded (least recently used go first); a client whose session was dropped starts a new one, as
 * the transport rules ask on 404.
 */
final class SessionOwners {

    private final Map<String, String> owners;

    SessionOwners(int capacity) {
        this.owners = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > capacity;
            }
        });
    }

    void opened(String sessionId, String owner) {
        owners.put(sessionId, owner);
    }

    boolean isOwner(String sessionId, String owner) {
        return owner.equals(owners.get(sessionId));
    }

    void closed(String sessionId) {
        owners.remove(sessionId);
    }

    int size() {
        return owners.size();
    }
}
