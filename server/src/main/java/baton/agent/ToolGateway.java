package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the tools of upstream MCP servers <em>as the caller</em>: every caller identity gets its
 * own client per upstream, whose every request carries that identity (a header for HTTP, the
 * environment of its own process for stdio). Baton adds no credentials of its own beyond the
 * upstream's fixed ones, so a tool that refuses the caller refuses them here too.
 */
public final class ToolGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToolGateway.class);

    private static final Pattern MODEL_TOOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final List<UpstreamServer> servers;
    private final McpJsonMapper jsonMapper;
    /** A cancellation nobody holds: work under it runs on the caller's thread, with no hop to another. */
    private static final Cancellation UNCANCELLABLE = Cancellation.none();

    private final UpstreamClients clients;
    /** The tools each upstream listed last, to whichever caller, and when (by upstream name). */
    private final Map<String, Listed> catalogue = new ConcurrentHashMap<>();
    private final AtomicLong listings = new AtomicLong();

    private record Listed(List<McpSchema.Tool> tools, long atNanos) {
    }

    public ToolGateway(List<UpstreamServer> servers, McpJsonMapper jsonMapper, String version) {
        this.servers = List.copyOf(servers);
        this.jsonMapper = jsonMapper;
        // the upstream said its tools changed and a client listed them again: the catalogue follows
        this.clients = new UpstreamClients(jsonMapper, version,
                (server, tools) -> catalogue.put(server.name(), new Listed(List.copyOf(tools), System.nanoTime())));
    }

    public List<UpstreamServer> servers() {
        return servers;
    }

    /** Upstream sessions opened so far (for tests and benchmarks). */
    long connections() {
        return clients.connections();
    }

    /** Tool listings made so far (for tests and benchmarks). */
    long listings() {
        return listings.get();
    }

    /**
     * The tools the caller may be offered, from every upstream, as each upstream lists them for
     * this caller.
     *
     * @throws BatonException {@link ErrorCode#UPSTREAM_UNAVAILABLE} naming the upstream that did not answer
     */
    public List<UpstreamTool> tools(Identity caller) {
        return tools(caller, UNCANCELLABLE);
    }

    /**
     * The tools as above, named the same way, from the upstreams that answer: one that does not is
     * left out (logged), so what the others offer is still known.
     */
    public List<UpstreamTool> reachableTools(Identity caller) {
        return tools(caller, UNCANCELLABLE, true, null);
    }

    /**
     * Which upstream offers which tool, with its annotations, for re-running recorded calls: each
     * upstream's list as it was last listed, to any caller, within {@code maxAge} (a listing of
     * an upstream that says its tools changed replaces it at once). A tool's name and annotations
     * do not depend on who asks, so a caller need not wait for a listing of their own; whether
     * the upstream lets them call it is its answer to the call. An upstream not listed within
     * {@code maxAge} is listed now, as {@code caller}; one that does not answer is left out.
     * Named as {@link #tools}.
     */
    public List<UpstreamTool> catalogue(Identity caller, Duration maxAge) {
        return tools(caller, UNCANCELLABLE, true, maxAge);
    }

    /**
     * Starts opening the caller's session, in the background, with every upstream whose shared
     * list (within {@code maxAge}) offers one of {@code tools} (named as {@link #tools} names
     * them) and that the caller is not connected to: calls that follow find it open or opening.
     * A failure is left to those calls.
     */
    public void connectSoon(Identity caller, Set<String> tools, Duration maxAge) {
        for (UpstreamServer server : servers) {
            Listed known = catalogue.get(server.name());
            if (known == null || System.nanoTime() - known.atNanos() > maxAge.toNanos()
                    || known.tools().stream().noneMatch(t -> tools.contains(t.name())
                            || tools.contains(modelName(server.name() + "__" + t.name())))) {
                continue;
            }
            if (clients.isOpenOrOpening(caller, server)) {
                continue;
            }
            Abandonable.later(() -> {
                try {
                    clients.client(caller, server);
                } catch (RuntimeException e) {
                    log.debug("[{} {}] connecting to upstream {} ahead of its calls failed: {}", caller.projectId(),
                            caller.userId(), server.name(), e.toString());
                }
            });
        }
    }

    /** The tools as above; a cancellation abandons the listing at once, with {@link TurnCancelled}. */
    List<UpstreamTool> tools(Identity caller, Cancellation cancellation) {
        return tools(caller, cancellation, false, null);
    }

    private List<UpstreamTool> tools(Identity caller, Cancellation cancellation, boolean skipUnreachable,
            Duration maxAge) {
        Map<String, List<UpstreamTool>> byName = new LinkedHashMap<>();
        for (UpstreamServer server : servers) {
            List<McpSchema.Tool> listed;
            Listed known = maxAge == null ? null : catalogue.get(server.name());
            try {
                listed = known != null && System.nanoTime() - known.atNanos() <= maxAge.toNanos() ? known.tools()
                        : abandonable(caller, server, cancellation, () -> listTools(caller, server));
            } catch (BatonException e) {
                if (!skipUnreachable) {
                    throw e;
                }
                log.warn("[{} {}] {}", caller.projectId(), caller.userId(), e.getMessage());
                continue;
            }
            for (McpSchema.Tool tool : listed) {
                byName.computeIfAbsent(tool.name(), n -> new ArrayList<>()).add(new UpstreamTool(tool.name(), server, tool));
            }
        }
        List<UpstreamTool> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (var entry : byName.entrySet()) {
            boolean clash = entry.getValue().size() > 1 || !MODEL_TOOL_NAME.matcher(entry.getKey()).matches();
            for (UpstreamTool t : entry.getValue()) {
                String name = clash ? modelName(t.server().name() + "__" + t.tool().name()) : t.name();
                if (used.add(name)) {
                    out.add(new UpstreamTool(name, t.server(), t.tool()));
                } else {
                    log.warn("upstream {} offers tool {} twice under one name; the second is left out",
                            t.server().name(), t.tool().name());
                }
            }
        }
        return out;
    }

    private List<McpSchema.Tool> listTools(Identity caller, UpstreamServer server) {
        try {
            McpSyncClient client = clients.client(caller, server);
            listings.incrementAndGet();
            List<McpSchema.Tool> tools = new ArrayList<>();
            String cursor = null;
            do {
                McpSchema.ListToolsResult page = cursor == null ? client.listTools() : client.listTools(cursor);
                tools.addAll(page.tools());
                cursor = page.nextCursor();
            } while (cursor != null && !cursor.isEmpty());
            catalogue.put(server.name(), new Listed(List.copyOf(tools), System.nanoTime()));
            return tools;
        } catch (RuntimeException e) {
            discard(caller, server);
            throw new BatonException(ErrorCode.UPSTREAM_UNAVAILABLE, "The upstream MCP server '" + server.name()
                    + "' (" + server.location() + ") could not list its tools: " + Failures.sentence(e, server.timeout()), e);
        }
    }

    /** Calls one tool as the caller. Every failure becomes an error outcome; nothing is thrown. */
    public ToolOutcome call(Identity caller, UpstreamTool tool, Map<String, Object> arguments) {
        return call(caller, tool, arguments, UNCANCELLABLE);
    }

    /**
     * Calls one tool as above; a cancellation abandons the call at once, with
     * {@link TurnCancelled}, and closes the caller's client of that upstream, whose state is then
     * unknown (an answer may still come): the next call connects afresh.
     */
    ToolOutcome call(Identity caller, UpstreamTool tool, Map<String, Object> arguments, Cancellation cancellation) {
        UpstreamServer server = tool.server();
        McpSchema.CallToolResult result;
        try {
            result = abandonable(caller, server, cancellation, () -> clients.client(caller, server).callTool(
                    McpSchema.CallToolRequest.builder(tool.tool().name()).arguments(arguments).build()));
        } catch (TurnCancelled e) {
            throw e;
        } catch (McpError e) {
            McpSchema.JSONRPCResponse.JSONRPCError error = e.getJsonRpcError();
            if (error == null) {
                return ToolOutcome.error(e.getMessage());
            }
            return new ToolOutcome("JSON-RPC error " + error.code() + ": " + error.message(), true, error.code(), false);
        } catch (RuntimeException e) {
            discard(caller, server);
            log.warn("[{} {}] upstream {} failed on {}: {}", caller.projectId(), caller.userId(), server.name(),
                    tool.tool().name(), e.toString());
            return new ToolOutcome("The upstream MCP server '" + server.name() + "' did not answer the call of "
                    + tool.tool().name() + ": " + Failures.sentence(e, server.timeout()), true, null, true);
        }
        return new ToolOutcome(text(result), Boolean.TRUE.equals(result.isError()), null, false);
    }

    private String text(McpSchema.CallToolResult result) {
        List<String> parts = new ArrayList<>();
        if (result.content() != null) {
            for (McpSchema.Content content : result.content()) {
                if (content instanceof McpSchema.TextContent t) {
                    parts.add(t.text());
                } else {
                    parts.add(json(content));
                }
            }
        }
        if (parts.isEmpty() && result.structuredContent() != null) {
            parts.add(json(result.structuredContent()));
        }
        return String.join("\n", parts);
    }

    private String json(Object value) {
        try {
            return jsonMapper.writeValueAsString(value);
        } catch (Exception e) {
            return String.valueOf(value);
        }
    }

    /**
     * Runs {@code work} so that a cancellation abandons it; the caller's client of the upstream
     * is then closed in the background (the server may be told through the closed connection or
     * the ended process; an answer that still comes finds nobody waiting).
     */
    private <T> T abandonable(Identity caller, UpstreamServer server, Cancellation cancellation,
            Callable<T> work) {
        if (cancellation == UNCANCELLABLE) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return Abandonable.call(cancellation, work);
        } catch (TurnCancelled e) {
            log.info("[{} {}] a cancelled turn abandoned its call of upstream {}", caller.projectId(),
                    caller.userId(), server.name());
            Abandonable.later(() -> discard(caller, server));
            throw e;
        }
    }

    private void discard(Identity caller, UpstreamServer server) {
        clients.discard(caller, server);
    }

    private static String modelName(String name) {
        String clean = name.replaceAll("[^A-Za-z0-9_-]", "_");
        return clean.length() > 64 ? clean.substring(0, 64) : clean;
    }

    @Override
    public void close() {
        clients.close();
    }
}
