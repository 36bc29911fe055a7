package baton.agent;

import baton.conversation.Entitlement;
import baton.conversation.Entitlements;
import baton.conversation.Identity;
import baton.conversation.RecordedCall;
import baton.conversation.WithheldReason;
import baton.db.Database;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a reader could obtain a recorded tool result by re-running its call <em>as the
 * reader</em> on the configured upstream that offers the tool, when that upstream annotates it
 * {@code readOnlyHint: true}. The re-run's own result is only classified, never shown or kept.
 *
 * <ul>
 *   <li>success: granted; an access error (the {@link AccessErrorClassifier}, with the call's own
 *       arguments as what was used before): {@code access_denied} or {@code not_found};</li>
 *   <li>a tool no reachable upstream offers, one not marked read-only, arguments that are not a JSON
 *       object, an upstream that fails, does not answer within its timeout or answers with another
 *       error, and calls beyond {@value #MAX_CHECKS} in one read: {@code unchecked} (fail closed).</li>
 * </ul>
 *
 * Identical calls (same tool, same arguments as canonical JSON) are checked once per read; at most
 * {@value #MAX_CONCURRENT} run at once; definite outcomes are kept in {@link EntitlementCache}.
 */
public final class UpstreamEntitlements implements Entitlements {

    private static final Logger log = LoggerFactory.getLogger(UpstreamEntitlements.class);

    public static final int MAX_CONCURRENT = 8;
    public static final int MAX_CHECKS = 200;
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final String NOT_AN_OBJECT = "";
    private static final int MAX_REMEMBERED = 10_000;
    private static final int MAX_REMEMBERED_ARGUMENTS = 4_096;

    private final ToolGateway gateway;
    private final EntitlementCache cache;
    private final Duration ttl;
    private final AccessErrorClassifier classifier = new AccessErrorClassifier();
    private final AtomicLong upstreamCalls = new AtomicLong();
    private final List<String> upstreamNames;
    /** Hashes of canonical arguments by their recorded text ({@link #NOT_AN_OBJECT} when not a JSON object). */
    private final Map<String, String> hashes = new ConcurrentHashMap<>();

    public UpstreamEntitlements(ToolGateway gateway, Database db, Duration ttl, Clock clock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway must not be null");
        this.cache = new EntitlementCache(db, ttl, clock);
        this.ttl = ttl;
        this.upstreamNames = gateway.servers().stream().map(UpstreamServer::name).toList();
    }

    /** How many tool calls the checks made upstream so far (for benchmarks and tests). */
    public long upstreamCalls() {
        return upstreamCalls.get();
    }

    private record Parsed(EntitlementCache.Key key, Map<String, Object> arguments) {
    }

    private record Check(EntitlementCache.Key key, UpstreamTool tool, Map<String, Object> arguments) {
    }

    @Override
    public Map<RecordedCall, Entitlement> known(Connection connection, Identity reader, Collection<RecordedCall> calls)
            throws SQLException {
        if (gateway.servers().isEmpty()) {
            return Map.of();
        }
        Map<RecordedCall, EntitlementCache.Key> keys = new HashMap<>();
        for (RecordedCall call : calls) {
            EntitlementCache.Key key = key(call);
            if (key != null) {
                keys.put(call, key);
            }
        }
        Map<EntitlementCache.Key, Entitlement> kept = cache.lookUp(connection, reader, new HashSet<>(keys.values()),
                upstreamNames);
        Map<RecordedCall, Entitlement> out = new HashMap<>();
        Set<String> unknownTools = new HashSet<>();
        keys.forEach((call, key) -> {
            Entitlement e = kept.get(key);
            if (e != null) {
                out.put(call, e);
            } else {
                unknownTools.add(call.tool());
            }
        });
        if (!unknownTools.isEmpty()) {
            // these will be checked once the read's transaction is over: the reader's upstream
            // session opens meanwhile
            gateway.connectSoon(reader, unknownTools, ttl);
        }
        return out;
    }

    /**
     * The cache key of a call, or null when its arguments are not a JSON object. Remembered by
     * the arguments' text, so a read again does not parse and hash the same calls again.
     */
    private EntitlementCache.Key key(RecordedCall call) {
        String hash = hashes.get(call.arguments());
        if (hash == null) {
            Map<String, Object> arguments = InheritedUse.arguments(call.arguments());
            hash = arguments == null ? NOT_AN_OBJECT : hash(arguments);
            if (call.arguments().length() <= MAX_REMEMBERED_ARGUMENTS) {
                if (hashes.size() >= MAX_REMEMBERED) {
                    hashes.clear();
                }
                hashes.put(call.arguments(), hash);
            }
        }
        return hash.equals(NOT_AN_OBJECT) ? null : new EntitlementCache.Key(call.tool(), hash);
    }

    @Override
    public Map<RecordedCall, Entitlement> check(Identity reader, Collection<RecordedCall> calls) {
        Map<RecordedCall, Entitlement> out = new HashMap<>();
        Map<RecordedCall, Parsed> parsed = new LinkedHashMap<>();
        Map<EntitlementCache.Key, Map<String, Object>> distinct = new LinkedHashMap<>();
        for (RecordedCall call : calls) {
            Map<String, Object> arguments = InheritedUse.arguments(call.arguments());
            if (arguments == null) {
                out.put(call, Entitlement.unchecked()); // not a JSON object: nothing to re-run
                continue;
            }
            EntitlementCache.Key key = new EntitlementCache.Key(call.tool(), hash(arguments));
            parsed.put(call, new Parsed(key, arguments));
            distinct.putIfAbsent(key, arguments);
        }
        if (distinct.isEmpty() || gateway.servers().isEmpty()) {
            parsed.keySet().forEach(call -> out.put(call, Entitlement.unchecked()));
            return out;
        }
        // the calls come from known(), which looked them up in the read's transaction: none is kept
        List<EntitlementCache.Key> missing = List.copyOf(distinct.keySet());
        Map<EntitlementCache.Key, Entitlement> known = checkUpstream(reader, missing, distinct);
        parsed.forEach((call, p) -> out.put(call, known.getOrDefault(p.key(), Entitlement.unchecked())));
        return out;
    }

    /** Re-runs the calls the cache did not know, bounded in number, concurrency and time. */
    private Map<EntitlementCache.Key, Entitlement> checkUpstream(Identity reader, List<EntitlementCache.Key> missing,
            Map<EntitlementCache.Key, Map<String, Object>> arguments) {
        Map<EntitlementCache.Key, Entitlement> out = new HashMap<>();
        long started = System.nanoTime();
        // which upstream offers the tool and whether it is read-only: the upstreams' shared lists,
        // kept as long as the outcomes are, so the reader's calls start without a listing of their own
        List<UpstreamTool> offered = gateway.catalogue(reader, ttl);
        long listed = System.nanoTime();
        List<Check> checks = new ArrayList<>();
        for (EntitlementCache.Key key : missing) {
            UpstreamTool tool = find(offered, key.tool());
            if (tool == null || !isReadOnly(tool) || checks.size() >= MAX_CHECKS) {
                out.put(key, Entitlement.unchecked());
            } else {
                checks.add(new Check(key, tool, arguments.get(key)));
            }
        }
        if (checks.isEmpty()) {
            return out;
        }
        Duration deadline = checks.stream().map(c -> c.tool().server().timeout()).max(Duration::compareTo)
                .orElse(UpstreamServer.DEFAULT_TIMEOUT);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_CONCURRENT, checks.size()), r -> {
            Thread t = new Thread(r, "baton-entitlement-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<EntitlementCache.Found> found = new ArrayList<>();
        try {
            List<Callable<Entitlement>> tasks = checks.stream()
                    .<Callable<Entitlement>>map(c -> () -> run(reader, c)).toList();
            List<Future<Entitlement>> futures = pool.invokeAll(tasks, deadline.toMillis() + 250, TimeUnit.MILLISECONDS);
            for (int i = 0; i < checks.size(); i++) {
                Check check = checks.get(i);
                Entitlement e = outcome(futures.get(i));
                out.put(check.key(), e);
                found.add(new EntitlementCache.Found(check.key(), check.tool().server().name(), e));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            checks.forEach(c -> out.putIfAbsent(c.key(), Entitlement.unchecked()));
            return out;
        } finally {
            pool.shutdownNow();
        }
        long checked = System.nanoTime();
        cache.keep(reader, found);
        log.info("[{} {}] checked {} recorded call(s) upstream: {} granted, {} withheld (tools known in {} ms,"
                + " checked in {} ms, kept in {} ms)", reader.projectId(), reader.userId(), checks.size(),
                found.stream().filter(f -> f.entitlement().isGranted()).count(),
                found.stream().filter(f -> !f.entitlement().isGranted()).count(), (listed - started) / 1_000_000,
                (checked - listed) / 1_000_000, (System.nanoTime() - checked) / 1_000_000);
        return out;
    }

    private Entitlement run(Identity reader, Check check) {
        upstreamCalls.incrementAndGet();
        ToolOutcome outcome = gateway.call(reader, check.tool(), check.arguments());
        if (!outcome.isError()) {
            return Entitlement.granted();
        }
        return classifier.classify(check.key().tool(), check.arguments(), outcome,
                        InheritedUse.ofArguments(check.arguments()))
                .map(a -> new Entitlement(a.notFound() ? WithheldReason.NOT_FOUND : WithheldReason.ACCESS_DENIED,
                        a.resource()))
                .orElse(Entitlement.unchecked());
    }

    private static Entitlement outcome(Future<Entitlement> future) {
        try {
            return future.get();
        } catch (CancellationException e) {
            return Entitlement.unchecked(); // not done within the deadline
        } catch (ExecutionException e) {
            log.warn("an entitlement check failed: {}", e.getCause().toString());
            return Entitlement.unchecked();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Entitlement.unchecked();
        }
    }

    /** The tool a recorded name means: the name the model called it by, else the one upstream tool of that name. */
    private static UpstreamTool find(List<UpstreamTool> offered, String name) {
        for (UpstreamTool t : offered) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        List<UpstreamTool> same = offered.stream().filter(t -> t.tool().name().equals(name)).toList();
        return same.size() == 1 ? same.get(0) : null;
    }

    private static boolean isReadOnly(UpstreamTool tool) {
        var annotations = tool.tool().annotations();
        return annotations != null && Boolean.TRUE.equals(annotations.readOnlyHint());
    }

    /** SHA-256 of the arguments as canonical JSON (keys sorted), so key order does not matter. */
    static String hash(Map<String, Object> arguments) {
        try {
            byte[] json = CANONICAL.writeValueAsString(arguments).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash the arguments of a recorded call", e);
        }
    }
}
