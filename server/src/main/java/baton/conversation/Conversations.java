package baton.conversation;

import baton.db.Database;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation service: every access rule of Baton lives here. Reads for a caller go through
 * {@link #read}, the single entry point that returns messages already cut at the caller's boundary.
 */
public final class Conversations {

    private static final Logger log = LoggerFactory.getLogger(Conversations.class);

    public static final int MAX_APPEND_MESSAGES = 1000;
    public static final int DEFAULT_READ_LIMIT = 200;
    public static final int MAX_READ_LIMIT = 1000;
    public static final int DEFAULT_LIST_LIMIT = 50;
    public static final int MAX_LIST_LIMIT = 200;
    public static final int MAX_TITLE_LENGTH = 500;
    public static final String DEFAULT_TITLE = "Untitled conversation";

    private final Database db;
    private final Clock clock;
    private final ConversationStore store = new ConversationStore();
    private final ConversationChanges changes;
    private final ActivityStore activity = new ActivityStore();
    private final ReadFolds folds;
    private final Governance governance;
    private final Entitlements entitlements;
    private final ToolResultsPolicy defaultPolicy;

    /** Conversations with no upstream to check entitlements: {@code checked} results are withheld as unchecked. */
    public Conversations(Database db, Clock clock) {
        this(db, clock, Entitlements.NONE, ToolResultsPolicy.CHECKED);
    }

    /**
     * @param entitlements decides whether a reader could obtain a recorded tool result
     * @param defaultPolicy the tool-results policy of a share that names none
     */
    public Conversations(Database db, Clock clock, Entitlements entitlements, ToolResultsPolicy defaultPolicy) {
        this.db = Objects.requireNonNull(db, "db must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.changes = new ConversationChanges(db, store, clock);
        this.folds = new ReadFolds(db, activity);
        this.governance = new Governance(db, this, store, activity);
        this.entitlements = Objects.requireNonNull(entitlements, "entitlements must not be null");
        this.defaultPolicy = Objects.requireNonNull(defaultPolicy, "defaultPolicy must not be null");
    }

    /** The tool-results policy of a share that names none. */
    public ToolResultsPolicy defaultPolicy() {
        return defaultPolicy;
    }

    /** The committed changes of conversations, announced by the database to every Baton process. */
    public ConversationChanges changes() {
        return changes;
    }

    /** Creates an empty conversation owned by the caller. */
    public Conversation create(Identity caller, String title) {
        requireWriter(caller, "create conversations");
        String cleanTitle = title == null || title.isBlank() ? DEFAULT_TITLE : title.strip();
        if (cleanTitle.length() > MAX_TITLE_LENGTH) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "title must be at most " + MAX_TITLE_LENGTH + " characters, not " + cleanTitle.length() + ".");
        }
        requireStorable("title", cleanTitle);
        Instant now = now();
        Conversation conversation = new Conversation(UUID.randomUUID(), caller.projectId(), caller.userId(),
                cleanTitle, now, now, null, null, null, null, 0);
        db.write("creating a conversation", c -> {
            store.insertConversation(c, conversation);
            return null;
        });
        log.info("[{} {}] created conversation {}", caller.projectId(), caller.userId(), conversation.id());
        return conversation;
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
        return view(caller, conversationId, afterIndex, limit);
    }

    /** The conversation's metadata as the caller may see it, with no messages. */
    public ConversationView metadata(Identity caller, UUID conversationId) {
        return view(caller, conversationId, -1, 0);
    }

    /** Every message the caller may see, in one snapshot (for resources and the agent). */
    public ConversationView readAll(Identity caller, UUID conversationId) {
        return view(caller, conversationId, -1, Integer.MAX_VALUE);
    }

    /**
     * The single entry point for every read of a conversation for a caller (tools, prompts,
     * resources, the agent). Metadata and messages come from one snapshot, and messages past the
     * caller's boundary are never loaded: the query itself stops at the boundary. For a reader who
     * is neither owner nor admin, the tool results the share's policy holds back (and what was
     * derived from them) are replaced by withheld messages before the view leaves this class; the
     * checks run after the snapshot's transaction, so no connection waits on an upstream.
     */
    private ConversationView view(Identity caller, UUID conversationId, int afterIndex, int limit) {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        record Snapshot(ConversationView view, List<Message> skeleton) {
        }
        Instant now = now();
        Snapshot snapshot = db.read("reading conversation " + conversationId, c -> {
            Seen seen = seen(caller, existing(c, caller, conversationId, ConversationStore.Lock.NONE, now));
            Conversation conversation = seen.conversation();
            int lastVisible = seen.lastVisible();
            List<Message> messages = limit == 0 || afterIndex >= lastVisible ? List.of()
                    : store.messages(c, conversationId, afterIndex, lastVisible, limit);
            Integer next = null;
            if (!messages.isEmpty()) {
                int last = messages.get(messages.size() - 1).index();
                next = last < lastVisible ? last : null;
            }
            ConversationView view = new ConversationView(conversation, conversation.isOwnedBy(caller), messages, next);
            boolean withholds = !messages.isEmpty() && seesOnlyWhatPolicyAllows(caller, conversation);
            if (!withholds) {
                return new Snapshot(view, null);
            }
            // only the whole turns around the page decide what it withholds, so a page costs the
            // same whatever the size of the conversation
            int[] range = store.turnsAround(c, conversationId, messages.get(0).index(),
                    messages.get(messages.size() - 1).index(), lastVisible);
            return new Snapshot(view, store.skeleton(c, conversationId, range[0], range[1]));
        });
        ConversationView view = snapshot.view();
        if (!view.isOwner()) {
            // after the read and before its answer: a read whose record fails is not answered
            recordRead(caller, view.conversation());
        }
        if (snapshot.skeleton() == null) {
            return view;
        }
        Withholding withheld = withholding(caller, snapshot.skeleton(), policyOf(view.conversation()), null);
        return new ConversationView(view.conversation(), view.isOwner(), withheld.apply(view.messages()),
                view.nextAfterIndex());
    }

    /** Whether the caller reads under the share's tool-results policy: neither owner nor admin. */
    private static boolean seesOnlyWhatPolicyAllows(Identity caller, Conversation conversation) {
        return !conversation.isOwnedBy(caller) && !caller.isAdmin();
    }

    private ToolResultsPolicy policyOf(Conversation conversation) {
        return conversation.sharedToolResults() == null ? defaultPolicy : conversation.sharedToolResults();
    }

    /**
     * What to withhold from the reader of {@code skeleton} under {@code policy}. Checks the calls
     * only when the policy is {@code checked}, or when {@code verdicts} is given (then it receives
     * every verdict, for the fork's lost access).
     */
    private Withholding withholding(Identity caller, List<Message> skeleton, ToolResultsPolicy policy,
            Map<RecordedCall, Entitlement> verdicts) {
        Map<RecordedCall, Entitlement> checked = Map.of();
        if (policy == ToolResultsPolicy.CHECKED || verdicts != null) {
            Set<RecordedCall> calls = Withholding.calls(skeleton);
            checked = calls.isEmpty() ? Map.of() : entitlements.check(caller, calls);
            if (verdicts != null) {
                verdicts.putAll(checked);
            }
        }
        return Withholding.decide(skeleton, policy, checked);
    }

    /**
     * Records a read by someone other than the owner (members and admins), folded with the same
     * reader's reads at the same boundary in the same 10 minutes. Every route reaches it: tools,
     * resources, prompts and the agent read through {@link #view}.
     */
    private void recordRead(Identity caller, Conversation conversation) {
        int boundary = privileged(caller, conversation) ? conversation.messageCount() - 1
                : conversation.sharedUntilIndex();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("boundary_index", boundary);
        details.put("boundary_message_id", conversation.isOwnedBy(caller) || caller.isAdmin()
                || conversation.sharedUntilMessageId() == null ? null : conversation.sharedUntilMessageId().toString());
        Instant at = now();
        ReadFolds.Key key = new ReadFolds.Key(conversation.id(), caller.userId(), boundary,
                Math.floorDiv(at.getEpochSecond(), ActivityStore.FOLD_SECONDS));
        if (folds.fold(key, at)) {
            return; // its event is stored; this process adds the count within a second
        }
        db.write("recording a read of conversation " + conversation.id(), c -> {
            activity.recordRead(c, conversation.projectId(), conversation.id(), caller.userId(), boundary, details, at);
            return null;
        });
        folds.written(key);
    }

    /** Appends messages at the end of a conversation the caller owns (or any, for an admin). */
    public List<UUID> append(Identity caller, UUID conversationId, List<NewMessage> messages) {
        requireWriter(caller, "append messages");
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        checkBatch(messages);
        List<UUID> ids = db.write("appending to conversation " + conversationId, c -> {
            Conversation conversation = existing(c, caller, conversationId, ConversationStore.Lock.UPDATE, now()).stored();
            requireOwnerOrAdmin(caller, conversation, "append to");
            return appendLocked(c, conversation, messages);
        });
        log.info("[{} {}] appended {} messages to {}", caller.projectId(), caller.userId(), ids.size(), conversationId);
        return ids;
    }

    /** Content of the root result that closes a turn abandoned by a process that died. */
    public static final String INTERRUPTED_TURN = "This turn was interrupted before it ended; its tool calls may be incomplete.";

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
        requireWriter(caller, "send messages");
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        NewMessage rootCall = new NewMessage(UUID.randomUUID(), MessageRole.USER, MessageType.CALL,
                Message.ROUTER_AGENT, null, ContentType.TEXT, content);
        checkBatch(List.of(rootCall));
        db.write("opening a turn in conversation " + conversationId, c -> {
            Conversation conversation = existing(c, caller, conversationId, ConversationStore.Lock.UPDATE, now()).stored();
            requireOwnerOrAdmin(caller, conversation, "send messages to");
            List<NewMessage> batch = new ArrayList<>(2);
            Optional<Message> latest = store.latestTurnRoot(c, conversationId);
            if (latest.isPresent() && latest.get().type() == MessageType.CALL) {
                Message open = latest.get();
                if (open.createdAt().isAfter(now().minus(staleAfter))) {
                    throw new BatonException(ErrorCode.TURN_IN_PROGRESS, "Conversation " + conversationId
                            + " already has a turn in progress (started " + open.createdAt()
                            + "); wait for it to end before sending another message.");
                }
                log.warn("[{} {}] closing turn {} of {}, abandoned since {}", caller.projectId(), caller.userId(),
                        open.id(), conversationId, open.createdAt());
                batch.add(new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT,
                        Message.ROUTER_AGENT, null, ContentType.ERROR, INTERRUPTED_TURN));
            }
            batch.add(rootCall);
            return appendLocked(c, conversation, batch);
        });
        log.info("[{} {}] opened turn {} in {}", caller.projectId(), caller.userId(), rootCall.id(), conversationId);
        return rootCall.id();
    }

    private List<UUID> appendLocked(Connection c, Conversation conversation, List<NewMessage> batch)
            throws SQLException {
        UUID conversationId = conversation.id();
        // one query finds both ids that may already exist (a retry) and parents stored earlier
        Set<UUID> lookUp = new HashSet<>();
        for (NewMessage m : batch) {
            if (m.id() != null) {
                lookUp.add(m.id());
            }
            if (m.parentId() != null) {
                lookUp.add(m.parentId());
            }
        }
        Map<UUID, Message> stored = store.messagesByIds(c, conversationId, lookUp);

        Instant now = now();
        int nextIndex = conversation.messageCount();
        List<UUID> ids = new ArrayList<>(batch.size());
        List<Message> toInsert = new ArrayList<>();
        Set<UUID> earlierInBatch = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            NewMessage m = batch.get(i);
            String at = "messages[" + i + "]";
            Message existing = m.id() == null ? null : stored.get(m.id());
            if (existing != null) {
                // only this conversation's messages are looked up: an id used elsewhere, in any
                // project, is free here, so no answer tells what another conversation holds
                if (!m.sameAs(existing)) {
                    throw new BatonException(ErrorCode.ID_REUSED, at + ".id " + m.id()
                            + " is already used by another message of this conversation; use a new id or resend"
                            + " the same message.");
                }
                ids.add(existing.id());
                earlierInBatch.add(existing.id());
                continue;
            }
            if (m.parentId() != null && !earlierInBatch.contains(m.parentId())) {
                Message parent = stored.get(m.parentId());
                if (parent == null) {
                    throw new BatonException(ErrorCode.BAD_PARENT, at + ".parent_id " + m.parentId()
                            + " is not a message of conversation " + conversationId
                            + " (a parent must exist already or come earlier in the same batch).");
                }
            }
            UUID id = m.id() != null ? m.id() : UUID.randomUUID();
            toInsert.add(new Message(id, conversationId, m.parentId(), nextIndex++, m.role(), m.type(), m.tool(),
                    m.contentType(), m.content(), now));
            ids.add(id);
            earlierInBatch.add(id);
        }
        if (!toInsert.isEmpty()) {
            store.insertMessages(c, toInsert);
            store.updateAfterAppend(c, conversationId, nextIndex, now);
        }
        return ids;
    }

    /** Checks a batch before touching the database, so a bad batch costs nothing. */
    private static void checkBatch(List<NewMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "messages must hold at least one message.");
        }
        if (messages.size() > MAX_APPEND_MESSAGES) {
            throw new BatonException(ErrorCode.TOO_LARGE, "messages holds " + messages.size()
                    + " messages; one append takes at most " + MAX_APPEND_MESSAGES + ".");
        }
        Map<UUID, Integer> seen = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            NewMessage m = messages.get(i);
            String at = "messages[" + i + "]";
            long bytes = m.contentBytes();
            if (bytes > NewMessage.MAX_CONTENT_BYTES) {
                throw new BatonException(ErrorCode.TOO_LARGE, at + ".content is " + bytes
                        + " bytes; a message holds at most " + NewMessage.MAX_CONTENT_BYTES + " bytes (1 MiB).");
            }
            requireStorable(at + ".content", m.content());
            requireStorable(at + ".tool", m.tool());
            if (m.contentType() == ContentType.WITHHELD) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, at + ".content_type withheld is given by Baton"
                        + " to messages it holds back from a reader; append text, json or error.");
            }
            if (m.contentType() == ContentType.JSON && !NewMessage.isJson(m.content())) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                        at + ".content is not valid JSON although its content_type is json.");
            }
            if (m.id() != null) {
                Integer first = seen.putIfAbsent(m.id(), i);
                if (first != null) {
                    throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                            at + ".id " + m.id() + " repeats the id of messages[" + first + "].");
                }
            }
            if (m.parentId() != null && m.parentId().equals(m.id())) {
                throw new BatonException(ErrorCode.BAD_PARENT, at + ".parent_id " + m.parentId()
                        + " names the message itself.");
            }
        }
    }

    static void requireStorable(String field, String text) {
        String problem = StorableText.problem(text);
        if (problem != null) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " " + problem + ".");
        }
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
        requireWriter(caller, "share conversations");
        UUID until = request.until();
        ToolResultsPolicy policy = request.toolResults() == null ? defaultPolicy : request.toolResults();
        Conversation shared = db.write("sharing conversation " + conversationId, c -> {
            Conversation conversation = existing(c, caller, conversationId, ConversationStore.Lock.UPDATE, now()).stored();
            requireOwnerOrAdmin(caller, conversation, "share");
            int last = conversation.messageCount() - 1;
            Message boundary;
            if (until == null) {
                boundary = store.latestTurnEnd(c, conversationId, last).orElseThrow(() -> new BatonException(
                        ErrorCode.NOTHING_TO_SHARE, "Conversation " + conversationId
                                + " has no completed turn to share yet (a turn ends with the root result of router_agent)."));
            } else {
                boundary = turnEnd(c, conversationId, until, last);
            }
            Instant now = now();
            ShareTerms terms = request.terms(now);
            store.updateShare(c, conversationId, boundary, terms, policy, now);
            Conversation after = withShare(conversation, boundary, terms, policy, now);
            activity.record(c, after.projectId(), conversationId, caller.userId(), ActivityEvent.SHARE,
                    shareDetails(after), now);
            return after;
        });
        log.info("[{} {}] shared {} until {} (tool results: {})", caller.projectId(), caller.userId(), conversationId,
                shared.sharedUntilMessageId(), policy.wireName());
        return shared;
    }

    /** Stops sharing: from now on only the owner (and admins) may read or fork. */
    public Conversation unshare(Identity caller, UUID conversationId) {
        requireWriter(caller, "unshare conversations");
        Conversation unshared = db.write("unsharing conversation " + conversationId, c -> {
            Conversation conversation = existing(c, caller, conversationId, ConversationStore.Lock.UPDATE, now()).stored();
            requireOwnerOrAdmin(caller, conversation, "unshare");
            Instant now = now();
            activity.record(c, conversation.projectId(), conversationId, caller.userId(), ActivityEvent.UNSHARE,
                    Map.of("was_shared", conversation.isShared()), now);
            if (!conversation.isShared()) {
                return conversation;
            }
            store.updateShare(c, conversationId, null, null, null, now);
            return withShare(conversation, null, null, null, now);
        });
        log.info("[{} {}] unshared {}", caller.projectId(), caller.userId(), conversationId);
        return unshared;
    }

    /** How many times a fork starts again when the share changed between its check and its copy. */
    private static final int FORK_ATTEMPTS = 10;

    /**
     * Forks what the caller may see (up to {@code until}, a visible turn end, or the latest visible
     * turn end) into a new conversation owned by the caller. One transaction, one copy statement.
     * Before it, outside any transaction: the messages the caller may not see are found (they are
     * copied as withheld), and, for a fork of another owner's conversation, what the inherited part
     * used that the caller cannot obtain ({@link ForkResult#lostAccess()}, kept on the fork for its
     * system prompt). Should the share change in between, the fork starts again.
     */
    public ForkResult fork(Identity caller, UUID conversationId, UUID until) {
        requireWriter(caller, "fork conversations");
        record Plan(int boundaryIndex, ToolResultsPolicy policy, boolean withholds, boolean crossOwner,
                List<Message> skeleton) {
        }
        for (int attempt = 1; attempt <= FORK_ATTEMPTS; attempt++) {
            Plan plan = db.read("preparing the fork of conversation " + conversationId, c -> {
                Seen seen = seen(caller, existing(c, caller, conversationId, ConversationStore.Lock.NONE, now()));
                Conversation source = seen.conversation();
                Message boundary = forkPoint(c, conversationId, until, seen.lastVisible());
                boolean crossOwner = !source.ownerId().equals(caller.userId());
                boolean withholds = seesOnlyWhatPolicyAllows(caller, source);
                List<Message> skeleton = crossOwner || withholds
                        ? store.skeleton(c, conversationId, 0, boundary.index()) : null;
                return new Plan(boundary.index(), policyOf(source), withholds, crossOwner, skeleton);
            });
            Withholding withheld = Withholding.nothing();
            Map<RecordedCall, Entitlement> verdicts = plan.crossOwner() ? new HashMap<>() : null;
            if (plan.skeleton() != null) {
                withheld = withholding(caller, plan.skeleton(),
                        plan.withholds() ? plan.policy() : ToolResultsPolicy.ALL, verdicts);
            }
            Withholding copyWithheld = withheld;
            ForkResult result = db.write("forking conversation " + conversationId, c -> {
                // FOR SHARE: share, unshare and append wait until the copy is done, so the boundary
                // read here is the one the copy obeys.
                Seen seen = seen(caller, existing(c, caller, conversationId, ConversationStore.Lock.SHARE, now()));
                Conversation source = seen.conversation();
                Message boundary = forkPoint(c, conversationId, until, seen.lastVisible());
                // What was decided for the planned prefix holds for any shorter one (turns are whole
                // within it); a later boundary or another policy needs a new check.
                if (plan.skeleton() != null
                        && (boundary.index() > plan.boundaryIndex() || policyOf(source) != plan.policy())) {
                    return null;
                }
                List<LostAccess> lostAccess = verdicts == null ? List.of()
                        : Withholding.lostAccess(plan.skeleton().subList(0, boundary.index() + 1), verdicts);
                Instant now = now();
                String earlierOwner = source.ownerId().equals(caller.userId()) ? source.earlierOwnerId() : source.ownerId();
                String title = source.title() + " (forked)";
                Conversation fork = new Conversation(UUID.randomUUID(), caller.projectId(), caller.userId(),
                        title, now, now, null, null,
                        new ForkedFrom(source.id(), boundary.id(), boundary.index(), source.ownerId()), earlierOwner,
                        boundary.index() + 1, null, null, lostAccess);
                store.insertConversation(c, fork);
                // the copy checks the share again, at this instant, in its own statement: a fork that
                // crosses the share's expiry copies everything, or nothing and is refused (rolled back)
                int copied = store.copyMessages(c, source.id(), boundary.index(), fork.id(), copyWithheld,
                        privileged(caller, source), caller.userId(), now());
                if (copied == 0) {
                    throw denied(conversationId);
                }
                if (copied != boundary.index() + 1) {
                    // indexes are gap-free, so anything else means the store is inconsistent
                    throw new IllegalStateException("fork copied " + copied + " messages, expected " + (boundary.index() + 1));
                }
                if (!source.isOwnedBy(caller)) {
                    Map<String, Object> details = new LinkedHashMap<>();
                    details.put("fork_id", fork.id().toString());
                    details.put("copied_messages", copied);
                    details.put("copied_up_to_message_id", boundary.id().toString());
                    details.put("copied_up_to_index", boundary.index());
                    details.put("withheld_messages", copyWithheld.byIndex().keySet().stream()
                            .filter(index -> index <= boundary.index()).count());
                    details.put("lost_access", lostAccess.size());
                    activity.record(c, source.projectId(), source.id(), caller.userId(), ActivityEvent.FORK, details, now);
                }
                return new ForkResult(fork, copied, lostAccess);
            });
            if (result != null) {
                log.info("[{} {}] forked {} into {} ({} messages, {} lost access)", caller.projectId(),
                        caller.userId(), conversationId, result.conversation().id(), result.copiedMessages(),
                        result.lostAccess().size());
                return result;
            }
        }
        throw new BatonException(ErrorCode.TURN_IN_PROGRESS, "Conversation " + conversationId
                + " kept changing its share while it was being forked; fork it again.");
    }

    /** {@code until} as a visible turn end, or the latest visible turn end when it is null. */
    private Message forkPoint(Connection c, UUID conversationId, UUID until, int lastVisible) throws SQLException {
        if (until != null) {
            return turnEnd(c, conversationId, until, lastVisible);
        }
        return store.latestTurnEnd(c, conversationId, lastVisible).orElseThrow(() -> new BatonException(
                ErrorCode.NOTHING_TO_FORK, "Conversation " + conversationId
                        + " has no completed turn to fork yet (a turn ends with the root result of router_agent)."));
    }

    /** Lists conversations newest first. The cursor is opaque to callers. */
    public ConversationPage list(Identity caller, ListScope scope, Integer limit, String cursor) {
        int pageSize = limit == null ? DEFAULT_LIST_LIMIT : limit;
        if (pageSize < 1 || pageSize > MAX_LIST_LIMIT) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "limit must be between 1 and " + MAX_LIST_LIMIT + ", not " + pageSize + ".");
        }
        Cursor after = Cursor.decode(cursor);
        ListScope which = scope == null ? ListScope.MINE : scope;
        Instant now = now();
        return db.read("listing conversations", c -> {
            List<Conversation> rows = store.list(c, which == ListScope.SHARED, caller.projectId(), caller.userId(),
                    now, after.createdAt(), after.id(), pageSize + 1).stream()
                    .filter(row -> mayKnow(caller, row)).map(row -> seen(caller, row).conversation()).toList();
            String next = null;
            if (rows.size() > pageSize) {
                rows = rows.subList(0, pageSize);
                Conversation last = rows.get(pageSize - 1);
                next = new Cursor(last.createdAt(), last.id()).encode();
            }
            return new ConversationPage(rows, next);
        });
    }

    /** The most completions one request gets (the MCP limit for one completion result). */
    public static final int MAX_COMPLETIONS = 100;

    /**
     * Conversations the caller may see (its own, others' shared now, or every one of the project
     * for an admin) whose id or title starts with {@code prefix} (the title ignoring case), newest
     * first, at most {@code limit}. For completions: what {@code list_conversations} would show.
     */
    public List<Conversation> completions(Identity caller, String prefix, int limit) {
        String typed = prefix == null ? "" : prefix;
        int size = Math.max(1, Math.min(limit, MAX_COMPLETIONS + 1));
        Instant now = now();
        return db.read("completing conversation ids", c -> store.startingWith(c, caller.projectId(),
                caller.userId(), caller.isAdmin(), now, typed, size).stream()
                .filter(row -> mayKnow(caller, row)).map(row -> seen(caller, row).conversation()).toList());
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
    public long exportActivity(String projectId, Instant since, java.util.function.Consumer<ActivityEvent> sink) {
        Objects.requireNonNull(projectId, "projectId must not be null");
        Objects.requireNonNull(since, "since must not be null");
        folds.flush(clock.instant());
        return governance.export(projectId, since, sink);
    }

    /**
     * What a share event records of the share as it now stands. An open map: the share's policy,
     * audience and expiry go here too where a share has them.
     */
    static Map<String, Object> shareDetails(Conversation shared) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("shared_until_message_id", shared.sharedUntilMessageId() == null ? null
                : shared.sharedUntilMessageId().toString());
        details.put("shared_until_index", shared.sharedUntilIndex());
        ShareTerms terms = shared.share();
        if (terms != null) {
            details.put("with_users", terms.withUsers());
            details.put("expires_at", terms.expiresAt() == null ? null : terms.expiresAt().toString());
            details.put("follow", terms.follows());
        }
        return details;
    }

    // ---------------------------------------------------------------- access rules

    /** What the caller sees of a conversation and the greatest index it may see. */
    private record Seen(Conversation conversation, int lastVisible) {
    }

    /**
     * The conversation as the caller sees it, and the greatest index it may see: everything for
     * the owner and for admins of the project; for other members, the share boundary (the SQL of
     * the row computed it, following the owner's turn ends for a live share) while the share is
     * for them and has not expired at the caller's instant (also decided by that SQL); otherwise
     * access is denied, with the same answer whichever rule refused. Every read, list and fork
     * asks this before it loads a message. A non-owner's conversation describes the shared part
     * only: its updated_at is the time of the boundary, its count the boundary's, and the
     * audience is left out.
     */
    private static Seen seen(Identity caller, ConversationStore.Row row) {
        Conversation stored = row.stored();
        if (!stored.projectId().equals(caller.projectId())) {
            throw notFound(stored.id());
        }
        Conversation atBoundary = row.boundaryId() == null ? stored
                : stored.seenAt(stored.updatedAt(), row.boundaryId(), row.boundaryIndex(), stored.messageCount(),
                        stored.share());
        if (privileged(caller, stored)) {
            return new Seen(atBoundary, stored.messageCount() - 1);
        }
        if (!row.readerMaySee() || row.boundaryId() == null) {
            throw denied(stored.id());
        }
        int last = row.boundaryIndex();
        Conversation shared = stored.seenAt(row.boundaryAt(), row.boundaryId(), last, last + 1,
                stored.share().withoutAudience());
        return new Seen(shared, last);
    }

    /** Whether {@link #seen} lets the caller see the row (a listing skips the others). */
    private static boolean mayKnow(Identity caller, ConversationStore.Row row) {
        return privileged(caller, row.stored()) || row.readerMaySee() && row.boundaryId() != null;
    }

    private static boolean privileged(Identity caller, Conversation conversation) {
        return conversation.isOwnedBy(caller) || caller.isAdmin();
    }

    /**
     * The conversation, as far as the caller may know of it: one of another project is answered
     * exactly like an id that does not exist, so no answer tells what another project holds.
     * Every access to a conversation starts here.
     */
    private ConversationStore.Row existing(Connection c, Identity caller, UUID id, ConversationStore.Lock lock,
            Instant now) throws SQLException {
        return store.row(c, id, lock, caller.userId(), now)
                .filter(found -> found.stored().projectId().equals(caller.projectId()))
                .orElseThrow(() -> notFound(id));
    }

    /** {@link #existing} as stored, for the owner-or-admin operations of {@link Governance}. */
    Conversation existing(Connection c, Identity caller, UUID id, ConversationStore.Lock lock) throws SQLException {
        return existing(c, caller, id, lock, now()).stored();
    }

    /**
     * The conversation as the caller sees it (audience, expiry and boundary decided by the row's
     * SQL, as for a read), or the refusal a read would get. For {@link Governance}.
     */
    Conversation visible(Connection c, Identity caller, UUID id) throws SQLException {
        return seen(caller, existing(c, caller, id, ConversationStore.Lock.NONE, now())).conversation();
    }

    /** Whether the caller may read the conversation now (no answer tells why not). */
    boolean mayRead(Connection c, Identity caller, UUID id) throws SQLException {
        return store.row(c, id, ConversationStore.Lock.NONE, caller.userId(), now())
                .filter(found -> found.stored().projectId().equals(caller.projectId()))
                .map(row -> mayKnow(caller, row)).orElse(false);
    }

    private static BatonException notFound(UUID id) {
        return new BatonException(ErrorCode.NOT_FOUND, "Conversation " + id + " was not found.");
    }

    static void requireOwnerOrAdmin(Identity caller, Conversation conversation, String action) {
        if (!conversation.projectId().equals(caller.projectId())) {
            throw notFound(conversation.id());
        }
        if (!conversation.isOwnedBy(caller) && !caller.isAdmin()) {
            throw new BatonException(ErrorCode.ACCESS_DENIED, "Access denied: only the owner of conversation "
                    + conversation.id() + " or a project admin may " + action + " it.");
        }
    }

    static void requireWriter(Identity caller, String action) {
        if (!caller.role().canWrite()) {
            throw new BatonException(ErrorCode.ROLE_NOT_ALLOWED, "User " + caller.userId()
                    + " has the viewer role in project " + caller.projectId() + " and may not " + action + ".");
        }
    }

    private static BatonException denied(UUID id) {
        return new BatonException(ErrorCode.ACCESS_DENIED, "Access denied to conversation " + id
                + ": it is not shared with you.");
    }

    /** {@code id} as a turn end of the conversation at or below {@code lastVisible}. */
    private Message turnEnd(Connection c, UUID conversationId, UUID id, int lastVisible) throws SQLException {
        Message m = store.message(c, conversationId, id).filter(found -> found.index() <= lastVisible).orElseThrow(() -> new BatonException(ErrorCode.NOT_FOUND,
                        "Message " + id + " was not found in conversation " + conversationId + "."));
        if (!m.isTurnEnd()) {
            throw new BatonException(ErrorCode.NOT_A_TURN_END, "Message " + id + " is not a turn end of conversation "
                    + conversationId + "; only the root result of router_agent that ends a turn can be a boundary.");
        }
        return m;
    }

    private static Conversation withShare(Conversation c, Message boundary, ShareTerms terms, ToolResultsPolicy policy,
            Instant now) {
        return new Conversation(c.id(), c.projectId(), c.ownerId(), c.title(), c.createdAt(), now,
                boundary == null ? null : boundary.id(), boundary == null ? null : boundary.index(),
                c.forkedFrom(), c.earlierOwnerId(), c.messageCount(), boundary == null ? null : terms,
                boundary == null ? null : policy, c.lostAccess());
    }

    Instant now() {
        // PostgreSQL keeps microseconds; truncating here keeps list cursors exact.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** Position in a listing: created_at and id of the last conversation of the previous page. */
    private record Cursor(Instant createdAt, UUID id) {
        private static final Cursor START = new Cursor(Instant.parse("9999-12-31T23:59:59Z"),
                new UUID(-1L, -1L));
        /** The earliest time a cursor may hold: any earlier one was not made by Baton. */
        private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

        String encode() {
            String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            if (cursor == null || cursor.isEmpty()) {
                return START;
            }
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = raw.split(":", 3);
                long nanos = Long.parseLong(parts[1]);
                Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
                // PostgreSQL's timestamps end long before Java's: a time outside Baton's range
                // would fail in the query, as an internal error
                if (nanos < 0 || nanos > 999_999_999 || at.isBefore(EARLIEST) || at.isAfter(START.createdAt())) {
                    throw new IllegalArgumentException("time out of range");
                }
                return new Cursor(at, UUID.fromString(parts[2]));
            } catch (RuntimeException e) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                        "cursor " + Quote.of(cursor) + " is not a cursor returned by list_conversations.");
            }
        }
    }
}
