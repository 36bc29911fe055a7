package baton.conversation;

import baton.db.ChangeFeed;
import baton.db.Database;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The committed changes of conversations, as PostgreSQL announces them ({@code LISTEN/NOTIFY},
 * migration V6) to every Baton process on the database, and who may hear of each: the access rule
 * for subscriptions, kept beside the others in this package.
 */
public final class ConversationChanges {

    private final Database db;
    private final ConversationStore store;
    private final Clock clock;

    ConversationChanges(Database db, ConversationStore store, Clock clock) {
        this.db = db;
        this.store = store;
        this.clock = clock;
    }

    /** The database channel on which every committed change of a conversation is announced (migration V6). */
    public static final String CHANNEL = "baton_conversations";

    /**
     * A committed change of a conversation. {@code boundaryMoved}: a share, unshare or re-share
     * elsewhere changed what the other members may see; otherwise only its owner and admins see
     * something new (an append, a re-share at the same boundary).
     */
    public record Change(UUID conversationId, boolean boundaryMoved) {

        /** The change a notification's payload announces, or null for a payload Baton did not write. */
        static Change parse(String payload) {
            if (payload == null) {
                return null;
            }
            String[] parts = payload.split(" ", 2);
            try {
                // a deletion (V9) changes what everyone who could see the conversation sees
                return new Change(UUID.fromString(parts[0]), parts.length == 2
                        && (parts[1].equals("boundary") || parts[1].equals("deleted")));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /**
     * Starts this process's one listener for the changes of every conversation, made by any Baton
     * process on the database. {@code onMissed} runs when listening starts again after the
     * connection was lost: changes of the gap are unknown.
     */
    public ChangeFeed watch(Consumer<Change> onChange, Runnable onMissed) {
        return ChangeFeed.start(db, CHANNEL, new ChangeFeed.Listener() {
            @Override
            public void changed(String payload) {
                Change change = Change.parse(payload);
                if (change != null) {
                    onChange.accept(change);
                }
            }

            @Override
            public void missed() {
                onMissed.run();
            }
        });
    }

    /**
     * Who may learn that {@code change} happened: members of the conversation's project who see
     * something different now. The owner and admins see every change; another member only a moved
     * boundary (a share, an unshare, a re-share elsewhere). Appends past the boundary stay unknown
     * to the others: telling them would say that the owner is still working on it. A share for
     * named users tells only them (and, once unshared, every member, as before); an expired share
     * tells nobody but the owner and admins. Nobody of another project ever hears of it. One read
     * of the conversation's row, whatever the audience.
     */
    public Predicate<Identity> audience(Change change) {
        Optional<Conversation> row = db.read("reading conversation " + change.conversationId(),
                c -> store.conversation(c, change.conversationId(), ConversationStore.Lock.NONE));
        if (row.isEmpty()) {
            // deleted: those who could see it before hear that it is gone (its next read says not found)
            Optional<GovernanceStore.Tombstone> gone = db.read("reading deleted conversation " + change.conversationId(),
                    c -> new GovernanceStore().tombstone(c, change.conversationId()));
            return who -> gone.isPresent() && who.projectId().equals(gone.get().projectId())
                    && (gone.get().ownerId().equals(who.userId()) || who.isAdmin() || gone.get().wasShared());
        }
        Conversation conversation = row.get();
        ShareTerms share = conversation.share();
        boolean expired = share != null && share.expiredAt(clock.instant());
        return who -> who.projectId().equals(conversation.projectId())
                && (conversation.isOwnedBy(who) || who.isAdmin() || change.boundaryMoved()
                        && (share == null || !expired && share.includes(who.userId())));
    }

    /**
     * Who may be told that a conversation may have changed when the changes themselves are unknown
     * (the listener was disconnected): members of its project. The owner and admins would have heard
     * of any change; another member hears of the conversations it may see now or saw before, and a
     * conversation of its project that it may not see says nothing more than that it exists.
     */
    public Predicate<Identity> anyChangeAudience(UUID conversationId) {
        Optional<Conversation> row = db.read("reading conversation " + conversationId,
                c -> store.conversation(c, conversationId, ConversationStore.Lock.NONE));
        return who -> row.isPresent() && who.projectId().equals(row.get().projectId());
    }
}
