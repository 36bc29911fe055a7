package baton.http;

import baton.agent.Agent;
import baton.auth.Bearers;
import baton.auth.OAuthResourceServer;
import baton.auth.Tokens;
import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.db.Database;
import baton.mcp.BatonMcpServer;
import baton.mcp.IdentityResolver;
import baton.mcp.RequestContext;
import baton.mcp.SessionIdentities;
import baton.mcp.ShareLinks;
import baton.prompts.PromptLibrary;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Baton over MCP Streamable HTTP on embedded Jetty: the transport at {@code /mcp} behind the
 * {@link RequestGate}, and {@code /healthz}. All state but the MCP sessions themselves is in the
 * database, so several instances on one PostgreSQL serve as one (see the README on sessions).
 */
public final class BatonHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatonHttpServer.class);
    public static final String MCP_PATH = "/mcp";
    public static final String HEALTH_PATH = "/healthz";
    /** The transport-context key under which each request's identity reaches the tools. */
    static final String IDENTITY_KEY = "baton.identity";
    private static final int MAX_SESSIONS_REMEMBERED = 100_000;
    /** Starts the one stderr line that says where a started instance listens (scripts wait for it). */
    public static final String ANNOUNCEMENT = "Baton serves MCP at ";

    private final Server jetty;
    private final McpSyncServer mcp;
    private final ServerConnector connector;
    private final ResumableStreams streams;

    private final CallerLimits limits;

    private BatonHttpServer(Server jetty, McpSyncServer mcp, ServerConnector connector, ResumableStreams streams,
            CallerLimits limits) {
        this.jetty = jetty;
        this.mcp = mcp;
        this.connector = connector;
        this.streams = streams;
        this.limits = limits;
    }

    /**
     * Starts serving with the request limits but no per-caller ones ({@link LimitSettings#perRequestOnly()}),
     * for tests and benchmarks that drive one instance hard from a few callers; {@code serve --http}
     * passes its limits. The port is bound when this returns.
     */
    public static BatonHttpServer start(HttpSettings settings, Conversations conversations, Agent agent,
            PromptLibrary prompts, Tokens tokens, Database database) {
        return start(settings, LimitSettings.perRequestOnly(), conversations, agent, prompts, tokens, database);
    }

    /** Starts serving with these limits, Baton tokens only and no pages. */
    public static BatonHttpServer start(HttpSettings settings, LimitSettings limitSettings, Conversations conversations,
            Agent agent, PromptLibrary prompts, Tokens tokens, Database database) {
        return start(settings, limitSettings, conversations, agent, prompts, tokens, database, ShareLinks.NONE, null,
                null);
    }

    /**
     * Starts serving; with {@code oauth}, OAuth access tokens of its issuer are accepted beside Baton
     * tokens and the RFC 9728 metadata is served (see {@link BearerGate}).
     */
    public static BatonHttpServer start(HttpSettings settings, Conversations conversations, Agent agent,
            PromptLibrary prompts, Tokens tokens, Database database, OAuthResourceServer oauth) {
        return start(settings, conversations, agent, prompts, tokens, database, ShareLinks.NONE, null, oauth);
    }

    /** Starts serving with pages and share links, and Baton tokens only. */
    public static BatonHttpServer start(HttpSettings settings, Conversations conversations, Agent agent,
            PromptLibrary prompts, Tokens tokens, Database database, ShareLinks links, HttpServlet pages) {
        return start(settings, conversations, agent, prompts, tokens, database, links, pages, null);
    }

    /**
     * Starts serving, with the pages for people at every other path when {@code pages} is not null
     * (behind the Host and Origin checks, see {@link PageGate}), {@code links} for the share links
     * tools hand out, and with {@code oauth} (or null) OAuth access tokens of its issuer beside
     * Baton tokens and the RFC 9728 metadata.
     */
    public static BatonHttpServer start(HttpSettings settings, Conversations conversations, Agent agent,
            PromptLibrary prompts, Tokens tokens, Database database, ShareLinks links, HttpServlet pages,
            OAuthResourceServer oauth) {
        return start(settings, LimitSettings.perRequestOnly(), conversations, agent, prompts, tokens, database, links,
                pages, oauth);
    }

    /**
     * Starts serving as {@code serve --http} does: with its per-caller limits, the pages, share
     * links and OAuth as above. The other overloads keep the request limits but no per-caller
     * ones ({@link LimitSettings#perRequestOnly()}), for tests and benchmarks that drive one
     * instance hard from a few callers.
     */
    public static BatonHttpServer start(HttpSettings settings, LimitSettings limitSettings, Conversations conversations,
            Agent agent, PromptLibrary prompts, Tokens tokens, Database database, ShareLinks links, HttpServlet pages,
            OAuthResourceServer oauth) {
        return start(settings, limitSettings, conversations, agent, prompts, tokens, database, links, pages, oauth,
                Bearers.batonTokens(tokens));
    }

    /** A server whose gate checks no token (any bearer acts as {@code everyone}): the baseline of {@code bench http}. */
    public static BatonHttpServer startUncheckedForBenchmark(HttpSettings settings, Conversations conversations,
            Agent agent, PromptLibrary prompts, Tokens tokens, Database database, Identity everyone) {
        return start(settings, LimitSettings.perRequestOnly(), conversations, agent, prompts, tokens, database,
                ShareLinks.NONE, null, null, Bearers.uncheckedForBenchmark(everyone));
    }

    private static BatonHttpServer start(HttpSettings settings, LimitSettings limitSettings,
            Conversations conversations, Agent agent, PromptLibrary prompts, Tokens tokens, Database database,
            ShareLinks links, HttpServlet pages, OAuthResourceServer oauth, Bearers bearers) {
        SessionIdentities sessions = new SessionIdentities(MAX_SESSIONS_REMEMBERED);
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(BatonMcpServer.jsonMapper(settings.maxRequestBytes()))
                .mcpEndpoint(MCP_PATH)
                .maxRequestSize((int) settings.maxRequestBytes())
                .contextExtractor(request -> {
                    Object identity = request.getAttribute(RequestGate.IDENTITY);
                    if (identity instanceof Identity caller) {
                        // the caller a session's resource updates are for (the SDK's subscribe sees no caller)
                        sessions.seen(request.getHeader("Mcp-Session-Id"), caller);
                    }
                    if (identity == null) {
                        return McpTransportContext.EMPTY;
                    }
                    Object cancellation = request.getAttribute(RequestContext.CANCELLATION);
                    return McpTransportContext.create(cancellation == null ? Map.of(IDENTITY_KEY, identity)
                            : Map.of(IDENTITY_KEY, identity, RequestContext.CANCELLATION, cancellation));
                })
                .build();
        McpSyncServer mcp = BatonMcpServer.start(transport, conversations, agent, prompts, identities(sessions),
                links);

        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("baton-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setIdleTimeout(limitSettings.idleTimeout().toMillis());
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        // a connection (an SSE stream among them) that carries nothing this long is closed
        connector.setIdleTimeout(limitSettings.idleTimeout().toMillis());
        connector.setHost(settings.bind());
        connector.setPort(settings.port());
        jetty.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        ServletHolder mcpHolder = new ServletHolder("mcp", transport);
        mcpHolder.setAsyncSupported(true); // answers stream over SSE
        context.addServlet(mcpHolder, MCP_PATH);
        context.addServlet(new ServletHolder("health", new HealthServlet(database)), HEALTH_PATH);
        if (pages != null) {
            // "/" is the servlet API's default mapping: every path /mcp and /healthz do not claim
            context.addServlet(new ServletHolder("pages", new PageGate(new OriginPolicy(settings), pages)), "/");
        }
        ResumableStreams streams = new ResumableStreams(MAX_SESSIONS_REMEMBERED, limitSettings.idleTimeout());
        BearerGate bearer = new BearerGate(bearers);
        if (oauth != null) {
            ServletHolder metadata = new ServletHolder("oauth-protected-resource", new ProtectedResourceServlet(bearer));
            context.addServlet(metadata, BearerGate.WELL_KNOWN);
            context.addServlet(metadata, BearerGate.WELL_KNOWN + MCP_PATH);
        }
        SessionOwners owners = new SessionOwners(MAX_SESSIONS_REMEMBERED);
        CallerLimits limits = new CallerLimits(new RateLimiter(limitSettings.rateLimit()),
                new SessionLimits(limitSettings, new SessionCloser(transport, MCP_PATH, id -> {
                    owners.closed(id);
                    streams.closed(id);
                    sessions.forget(id);
                })), new BodyLimits(limitSettings, settings.maxRequestBytes()));
        FilterHolder gate = new FilterHolder(new RequestGate(new OriginPolicy(settings), bearer,
                settings.maxRequestBytes(), owners, new HttpCancellations(), streams, limits));
        gate.setAsyncSupported(true);
        context.addFilter(gate, MCP_PATH, EnumSet.of(DispatcherType.REQUEST));
        // no Jetty HTML page reaches a client: errors before the context and inside it are JSON
        context.setErrorHandler(new ErrorPages());
        jetty.setErrorHandler(new ErrorPages());
        jetty.setHandler(new MethodGuard(context));
        try {
            jetty.start();
        } catch (Exception e) {
            mcp.closeGracefully();
            stopQuietly(jetty);
            streams.close();
            limits.close();
            throw new BatonException(ErrorCode.CONFIGURATION, "Baton could not listen on " + settings.bind() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        BatonHttpServer server = new BatonHttpServer(jetty, mcp, connector, streams, limits);
        if (oauth != null) {
            // the resource may be the URL of the port just bound, so OAuth is switched on now
            URI resource = oauth.settings().resource(server.mcpUrl());
            bearer.useOAuth(oauth.bearers(tokens, resource), oauth.settings().issuer(), resource);
            log.info("accepting OAuth access tokens of {} for the resource {}", oauth.settings().issuer(), resource);
        }
        log.info("serving MCP at {}", server.mcpUrl());
        return server;
    }

    /** The identity of each request, put in the transport context by the gate. */
    static IdentityResolver identities(SessionIdentities sessions) {
        return new IdentityResolver() {
            @Override
            public Identity resolve(McpTransportContext context) {
                Object identity = context.get(IDENTITY_KEY);
                if (identity instanceof Identity i) {
                    return i;
                }
                // The gate lets no request through without one; reaching this is a bug, not a caller's mistake.
                throw new IllegalStateException("an MCP request reached a tool without an authenticated identity");
            }

            @Override
            public Optional<Identity> ofSession(String sessionId) {
                return sessions.of(sessionId);
            }
        };
    }

    /** The line announcing where this server listens. */
    public String announcement() {
        return ANNOUNCEMENT + mcpUrl();
    }

    /** The URL in an announcement line, or empty for any other line. */
    public static Optional<URI> announcedUrl(String line) {
        int at = line.indexOf(ANNOUNCEMENT);
        return at < 0 ? Optional.empty()
                : Optional.of(URI.create(line.substring(at + ANNOUNCEMENT.length()).strip()));
    }

    public int port() {
        return connector.getLocalPort();
    }

    public URI mcpUrl() {
        String host = connector.getHost();
        if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + MCP_PATH);
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Open MCP sessions this instance counts against its limits (for tests and figures). */
    public int openSessions() {
        return limits.sessions().size();
    }

    @Override
    public void close() {
        long start = System.nanoTime();
        limits.close();
        try {
            connector.stop(); // no new connections while the sessions close
        } catch (Exception e) {
            log.debug("stopping the connector: {}", e.getMessage());
        }
        mcp.closeGracefully();
        stopQuietly(jetty);
        streams.close();
        log.info("stopped serving HTTP in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    private static void stopQuietly(Server jetty) {
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP server: {}", e.getMessage());
        }
    }
}
