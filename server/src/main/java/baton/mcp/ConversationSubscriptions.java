package baton.mcp;

import baton.conversation.ConversationChanges;
import baton.conversation.Identity;
import baton.db.ChangeFeed;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code resources/subscribe} on {@code baton://conversations/{id}}
 * (https://modelcontextprotocol.io/specification/2025-11-25/server/resources#subscriptions). The SDK
 * keeps who subscribed to which URI; this class hears every committed change of a conversation
 * from PostgreSQL (one {@code LISTEN} connection per process, so changes made through any Baton
 * instance count) and asks the SDK to tell the URI's subscribers. On the way to each session,
 * {@link SessionWatch} lets the notification through only when its caller may see that change
 * ({@link ConversationChanges#audience}). The SDK answers every subscribe, even to a conversation
 * the caller may not see: it then hears nothing, until the conversation is shared with it.
 */
final class ConversationSubscriptions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConversationSubscriptions.class);
    /** Where a notification on its way out carries its audience; removed before it is sent. */
    private static final String AUDIENCE = "baton.audience";

    private final ConversationChanges changes;
    private final IdentityResolver identities;
    private final Supplier<McpSyncServer> server;
    /** Conversations with subscribers here (most recent first out), for a resend after the feed reconnects. */
    private final Map<String, Boolean> subscribed = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_REMEMBERED;
        }
    });
    private static final int MAX_REMEMBERED = 10_000;
    private volatile ChangeFeed feed;
    private boolean closed;

    ConversationSubscriptions(ConversationChanges changes, IdentityResolver identities, Supplier<McpSyncServer> server) {
        this.changes = changes;
        this.identities = identities;
        this.server = server;
    }

    /** Starts listening (once, in the background); every later change of a conversation reaches its subscribers. */
    synchronized void start() {
        if (feed != null || closed) {
            return;
        }
        feed = changes.watch(change -> announce(change.conversationId(), () -> changes.audience(change)),
                this::resendAll);
    }

    /** Completes when the feed first listens (never, when it was not started). */
    synchronized CompletionStage<Void> listening() {
        return feed == null ? new CompletableFuture<>() : feed.firstListening();
    }

    private void announce(UUID conversationId, Supplier<Predicate<Identity>> audience) {
        McpSyncServer mcp = server.get();
        if (mcp == null) {
            return;
        }
        // The audience is read once per change, and only when a session subscribed to the URI.
        Lazy<Predicate<Identity>> who = new Lazy<>(audience);
        mcp.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(
                ConversationResource.URI_PREFIX + conversationId, Map.of(AUDIENCE, who)));
    }

    /**
     * After the feed lost its connection the changes of the gap are unknown: every subscriber of a
     * conversation that had subscribers here before hears that it may have changed (when it is of
     * its project: see {@link ConversationChanges#anyChangeAudience}). A conversation whose
     * subscribers never had a change announced is not known here; its subscribers are not told.
     */
    private void resendAll() {
        List<String> uris;
        synchronized (subscribed) {
            uris = new ArrayList<>(subscribed.keySet());
        }
        for (String uri : uris) {
            UUID id = UUID.fromString(uri.substring(ConversationResource.URI_PREFIX.length()));
            announce(id, () -> changes.anyChangeAudience(id));
        }
    }

    /** The gate of {@link SessionWatch}: a resource update reaches a session only if its caller may know of it. */
    Object admit(String sessionId, String method, Object params) {
        if (!(params instanceof McpSchema.ResourcesUpdatedNotification update) || update.meta() == null
                || !(update.meta().get(AUDIENCE) instanceof Lazy<?> lazy)) {
            return params;
        }
        subscribed.put(update.uri(), Boolean.TRUE);
        Optional<Identity> caller = identities.ofSession(sessionId);
        try {
            @SuppressWarnings("unchecked")
            Predicate<Identity> audience = ((Lazy<Predicate<Identity>>) lazy).get();
            if (caller.isEmpty() || !audience.test(caller.get())) {
                return null;
            }
        } catch (RuntimeException e) {
            return null; // who may know cannot be told (the database is away): nobody is told
        }
        return new McpSchema.ResourcesUpdatedNotification(update.uri());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (feed != null) {
            feed.close();
        }
    }

    /** Computed on first use, once, whichever session's notification asks first. */
    private static final class Lazy<T> implements Supplier<T> {
        private final Supplier<T> compute;
        private T value;
        private RuntimeException failure;

        Lazy(Supplier<T> compute) {
            this.compute = compute;
        }

        @Override
        public synchronized T get() {
            if (value == null && failure == null) {
                try {
                    value = compute.get();
                } catch (RuntimeException e) {
                    log.warn("cannot tell who may hear of a conversation's change: {}", e.getMessage());
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }
}
