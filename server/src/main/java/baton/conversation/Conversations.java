package baton.conversation;

import baton.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation service and Baton's single access entry point: every tool, resource, prompt,
 * page and the agent reads and changes conversations through this class, and only through it.
 * It is a thin facade; the work is done by package-private collaborators, one per role, that
 * nothing outside this package can reach: {@link Appending} (create, append, turns),
 * {@link Reading} (reads cut at the caller's boundary with withholding, listings, completions),
 * {@link Sharing}, {@link Forking} and {@link Governance} (delete, rename, lineage, activity). All
 * of them decide access with the rules of {@link Access}, which live there and nowhere else.
 * Reads for a caller go through {@link #read}, which returns messages already cut at the caller's
 * boundary. {@link #close()} adds the reads still folded in memory to the activity.
 */
public final class Conversations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Conversations.class);

    public static final int MAX_APPEND_MESSAGES = 1000;
    public static final int DEFAULT_READ_LIMIT = 200;
    public static final int MAX_READ_LIMIT = 1000;
    public static final int DEFAULT_LIST_LIMIT = 50;
    public static final int MAX_LIST_LIMIT = 200;
    public static final int MAX_TITLE_LENGTH = 500;
    public static final String DEFAULT_TITLE = "Untitled conversation";

    /** Content of the root result that closes a turn abandoned by a process that died. */
    public static final String INTERRUPTED_TURN = "This turn was interrupted before it ended; its tool calls may be incomplete.";

    /** The most completions one request gets (the MCP limit for one completion result). */
    public static final int MAX_COMPLETIONS = 100;

    private final Clock clock;
    private final ConversationChanges changes;
    private final ReadFolds folds;
    private final Access access;
    private final Appending appending;
    private final Reading reading;
    private final Sharing sharing;
    private final Forking forking;
    private final Governance governance;

    /** Conversations with no upstream to check entitlements: {@code checked} results are withheld as unchecked. */
    public Conversations(Database db, Clock clock) {
        this(db, clock, Entitlements.NONE, ToolResultsPolicy.CHECKED);
    }

    /**
     * @param entitlements decides whether a reader could obtain a recorded tool result
     * @param defaultPolicy the tool-results policy of a share that names none
     */
    public Conversations(Database db, Clock clock, Entitlements entitlements, ToolResultsPolicy defaultPolicy) {
        Objects.requireNonNull(db, "db must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        ConversationStore store = new ConversationStore();
        MessageStore messages = new MessageStore();
        ActivityStore activity = new ActivityStore();
        this.changes = new ConversationChanges(db, store, clock);
        this.folds = new ReadFolds(db, activity);
        this.access = new Access(clock, store, messages,
                Objects.requireNonNull(entitlements, "entitlements must not be null"),
                Objects.requireNonNull(defaultPolicy, "defaultPolicy must not be null"));
        this.appending = new Appending(db, access, store, messages);
        this.reading = new Reading(db, access, store, messages, activity, folds);
        this.sharing = new Sharing(db, access, store, messages, activity);
        this.forking = new Forking(db, access, store, messages, activity);
        this.governance = new Governance(db, access, store, messages, activity);
    }

    /** The tool-results policy of a share that names none. */
    public ToolResultsPolicy defaultPolicy() {
        return access.defaultPolicy();
    }

    /** The committed changes of conversations, announced by the database to every Baton process. */
    public ConversationChanges changes() {
        return changes;
    }

    /** Creates an empty conversation owned by the caller. */
    public Conversation create(Identity caller, String title) {
        return appending.create(caller, title);
    }

    /**
     * Reads one page of what the caller may see.
     *
     * @param afterIndex return messages with a greater index (-1 for the start)
     * @param limit at most this many messages, 1 to {@value #MAX_READ_LIMIT}
     */
    public ConversationView read(Identity caller, UUID conversationId, int afterIndex, int limit) {
        if (afterIndex < -1) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "after_index must be -1 or greater, not " + afterIndex + ".");
        }
        if (limit < 1 || limit > MAX_READ_LIMIT) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "limit must be between 1 and " + MAX_READ_LIMIT + ", not " + limit + ".");
        }
        return reading.view(caller, conversationId, afterIndex, limit);
    }

    /** The conversation's metadata as the caller may see it, with no messages. */
    public ConversationView metadata(Identity caller, UUID conversationId) {
        return reading.view(caller, conversationId, -1, 0);
    }

    /** Every message the caller may see, in one snapshot (for resources and the agent). */
    public ConversationView readAll(Identity caller, UUID conversationId) {
        return reading.view(caller, conversationId, -1, Integer.MAX_VALUE);
    }

    /** Appends messages at the end of a conversation the caller owns (or any, for an admin). */
    public List<UUID> append(Identity caller, UUID conversationId, List<NewMessage> messages) {
        return appending.append(caller, conversationId, messages);
    }

    /**
     * Opens an agent turn: appends the root call of router_agent that carries the user's content.
     * One turn runs at a time per conversation, across every process on the database: while the
     * latest turn is open (its root call has no root result yet) another is refused, unless the
     * open one started more than {@code staleAfter} ago. Then its process is gone, and the turn is
     * closed with an error result before the new one opens, so the history stays well formed.
     *
     * @return the id of the new turn's root call
     */
    public UUID beginTurn(Identity caller, UUID conversationId, String content, Duration staleAfter) {
        return appending.beginTurn(caller, conversationId, content, staleAfter);
    }

    /**
     * Shares the conversation with the other members of its project up to a turn end: {@code until},
     * or the latest turn end when {@code until} is null. Re-sharing moves the boundary.
     */
    public Conversation share(Identity caller, UUID conversationId, UUID until) {
        return shareOn(caller, conversationId, ShareRequest.until(until));
    }

    /** Shares as above with a tool-results policy ({@code null}: the server's default). */
    public Conversation share(Identity caller, UUID conversationId, UUID until, ToolResultsPolicy toolResults) {
        ShareRequest plain = ShareRequest.until(until);
        return shareOn(caller, conversationId, new ShareRequest(plain.until(), plain.withUsers(),
                plain.expiresInSeconds(), plain.follow(), toolResults));
    }

    /**
     * Shares the conversation on {@code request}'s terms: its boundary ({@code until}, the latest
     * turn end, or every turn end to come when it follows), audience, expiry and tool-results
     * policy. A re-share replaces all of them; what the request leaves out is the whole project,
     * no expiry, pinned, the server's default policy.
     */
    public Conversation shareOn(Identity caller, UUID conversationId, ShareRequest request) {
        return sharing.shareOn(caller, conversationId, request);
    }

    /** Stops sharing: from now on only the owner (and admins) may read or fork. */
    public Conversation unshare(Identity caller, UUID conversationId) {
        return sharing.unshare(caller, conversationId);
    }

    /**
     * Forks what the caller may see (up to {@code until}, a visible turn end, or the latest visible
     * turn end) into a new conversation owned by the caller. One transaction, one copy statement.
     * Before it, outside any transaction: the messages the caller may not see are found (they are
     * copied as withheld), and, for a fork of another owner's conversation, what the inherited part
     * used that the caller cannot obtain ({@link ForkResult#lostAccess()}, kept on the fork for its
     * system prompt). Should the share change in between, the fork starts again.
     */
    public ForkResult fork(Identity caller, UUID conversationId, UUID until) {
        return forking.fork(caller, conversationId, until);
    }

    /** Lists conversations newest first. The cursor is opaque to callers. */
    public ConversationPage list(Identity caller, ListScope scope, Integer limit, String cursor) {
        return reading.list(caller, scope, limit, cursor);
    }

    /**
     * Conversations the caller may see (its own, others' shared now, or every one of the project
     * for an admin) whose id or title starts with {@code prefix} (the title ignoring case), newest
     * first, at most {@code limit}. For completions: what {@code list_conversations} would show.
     */
    public List<Conversation> completions(Identity caller, String prefix, int limit) {
        return reading.completions(caller, prefix, limit);
    }

    /**
     * Deletes a conversation and all its messages in one transaction (owner or admin). Its forks keep
     * their copies and their forked_from; it is "not found" for everyone from then on. Refused while
     * a turn runs in it.
     *
     * @return how many messages were deleted
     */
    public int delete(Identity caller, UUID conversationId) {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        return governance.delete(caller, conversationId);
    }

    /** Gives a conversation a new title (owner or admin): stripped, at most 500 characters, not blank. */
    public Conversation rename(Identity caller, UUID conversationId, String title) {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        return governance.rename(caller, conversationId, title);
    }

    /** Where the conversation came from and the forks made from it, as far as the caller may see. */
    public Lineage lineage(Identity caller, UUID conversationId) {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        return governance.lineage(caller, conversationId);
    }

    /** The conversation's activity, newest first (owner and admins only). The cursor is opaque. */
    public ActivityPage activity(Identity caller, UUID conversationId, Integer limit, String cursor) {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        folds.flush(clock.instant()); // this process's folded counts first, so its own reads show exactly
        return governance.activity(caller, conversationId, limit, cursor);
    }

    /**
     * Every activity event of a project from {@code since} on, oldest first, for an operator's
     * export ({@code baton audit export}): no caller, so no access rule; the CLI is the gate.
     */
    public long exportActivity(String projectId, Instant since, Consumer<ActivityEvent> sink) {
        Objects.requireNonNull(projectId, "projectId must not be null");
        Objects.requireNonNull(since, "since must not be null");
        folds.flush(clock.instant());
        return governance.export(projectId, since, sink);
    }

    /**
     * Adds the reads still folded in this process to their activity events and stops the task that
     * adds them every second, so nothing counted is lost when the process ends. Owners of a
     * long-lived instance ({@code serve}) call it on shutdown, before the database pool closes.
     * Reads after it are recorded one by one. Never throws: a database that fails is logged.
     */
    @Override
    public void close() {
        try {
            folds.close(clock.instant());
        } catch (RuntimeException e) {
            log.warn("could not add the last folded reads to the activity: {}", e.getMessage());
        }
    }
}
