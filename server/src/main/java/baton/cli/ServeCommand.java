package baton.cli;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.OAuthResourceServer;
import baton.auth.OAuthSettings;
import baton.auth.Tokens;
import baton.auth.WebSessions;
import baton.config.Config;
import baton.config.StartupTrace;
import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.db.Storage;
import baton.http.BatonHttpServer;
import baton.http.LimitSettings;
import baton.http.HttpSettings;
import baton.mcp.BatonMcpServer;
import baton.mcp.IdentityResolver;
import baton.mcp.ShareLinks;
import baton.mcp.stdio.StdioTransport;
import baton.prompts.PromptLibrary;
import baton.web.PublicUrl;
import baton.web.OAuthSignIn;
import baton.web.SignInFlow;
import baton.web.WebPages;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import java.net.URI;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code baton serve --stdio}: the MCP server on standard input and output, for one client with a
 * fixed identity; {@code baton serve --http}: Streamable HTTP for many clients, each request
 * authenticated by its bearer token.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run Baton as an MCP server.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    static final class Transport {
        @Option(names = "--stdio", required = true,
                description = "Serve MCP over standard input and output (one client, the process that started Baton).")
        boolean stdio;

        @Option(names = "--http", required = true,
                description = "Serve MCP Streamable HTTP at /mcp; every request needs Authorization: Bearer <token>.")
        boolean http;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Transport transport;

    @Mixin
    IdentityOptions identityOptions = new IdentityOptions();

    @Mixin
    HttpOptions httpOptions = new HttpOptions();

    @Mixin
    WebOptions webOptions = new WebOptions();

    @Mixin
    OAuthOptions oauthOptions = new OAuthOptions();

    @Mixin
    LimitOptions limitOptions = new LimitOptions();

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Mixin
    SharingOptions sharingOptions = new SharingOptions();

    /** Connections per HTTP instance: requests run concurrently, each holds one for a short transaction. */
    static final int HTTP_POOL_SIZE = 16;

    private final Map<String, String> env;

    ServeCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws InterruptedException {
        StartupTrace.mark("command line parsed");
        return transport.http ? serveHttp() : serveStdio();
    }

    private Integer serveStdio() throws InterruptedException {
        if (oauthOptions.anyGiven()) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "--oauth-* options apply to --http only.");
        }
        if (limitOptions.anyGiven()) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "The limits (--rate-limit, --max-sessions…, --max-json-…, --min-upload-rate, --idle-timeout) apply to --http only.");
        }
        if (httpOptions.anyGiven()) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "--port, --bind, --max-request-bytes, --allowed-host and --allowed-origin apply to --http only.");
        }
        if (webOptions.anyGiven()) {
            throw new BatonException(ErrorCode.CONFIGURATION, "--public-url and --web-session-minutes apply to --http only.");
        }
        // stdout carries the protocol: everything else that would print there goes to stderr.
        PrintStream protocolOut = System.out;
        System.setOut(System.err);
        Identity identity = identity();
        Config config = storage.config(env);
        AgentSettings agentSettings = agentOptions.settings(env);
        JacksonMcpJsonMapper jsonMapper = BatonMcpServer.jsonMapper(StdioTransport.MAX_LINE_BYTES);
        // every line answered; stdin closing cancels what runs and ends Baton within a second
        var transportProvider = new StdioTransport(jsonMapper, System.in, protocolOut,
                StdioTransport.MAX_LINE_BYTES, StdioTransport.DEFAULT_GRACE);
        // Stdin is read from now on: initialize is answered while the server is built (what it says is
        // fixed for the build); every other message waits for the server.
        transportProvider.startEarly(requested -> BatonMcpServer.initializeResult(requested,
                transportProvider.protocolVersions()));
        StartupTrace.mark("reading stdin");
        // The database opens while the MCP server is built and the handshake is answered (neither needs it).
        try (Storage db = Storage.openInBackground(config.dbUrl(), config.dataDir(), 4);
                ToolGateway gateway = new ToolGateway(agentSettings.upstreams(), jsonMapper, BatonMcpServer.version());
                // closed before the pool: the reads still folded in memory reach the activity
                Conversations conversations = sharingOptions.conversations(db.database(), gateway, env)) {
            transportProvider.graceAfter(db.opened());
            StartupTrace.mark("upstream gateway built");
            PromptLibrary prompts = new PromptLibrary();
            Agent agent = Agent.create(conversations, prompts, agentSettings, gateway);
            StartupTrace.mark("prompts and agent built");
            McpSyncServer server = BatonMcpServer.start(transportProvider, conversations, agent, prompts,
                    IdentityResolver.fixed(identity));
            StartupTrace.mark("MCP server built");
            log.info("serving MCP over stdio as {} in project {} ({})", identity.userId(), identity.projectId(),
                    identity.role().wireName());
            log.info("agent: {}, {} upstream server(s) {}", agentSettings.model(), agentSettings.upstreams().size(),
                    agentSettings.upstreams().stream().map(u -> u.name()).toList());
            // Never block forever: when the client closes stdin, Baton ends.
            awaitEnd(transportProvider, db.opened());
            server.closeGracefully();
        }
        return 0;
    }

    private Integer serveHttp() throws InterruptedException {
        if (identityOptions.user != null || identityOptions.project != null || identityOptions.role != null) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "--user, --project and --role apply to --stdio only; over HTTP each request's bearer token names its caller.");
        }
        HttpSettings settings = httpOptions.settings(env);
        Optional<PublicUrl> publicUrl = webOptions.publicUrl(env);
        Duration sessionTtl = webOptions.sessionTtl(env);
        if (publicUrl.isPresent()) {
            settings = WebOptions.allowing(settings, publicUrl.get());
        }
        OAuthSettings oauthSettings = oauthOptions.settings(env, webOptions.publicUrl);
        if (webOptions.clientId(env).isPresent() && (publicUrl.isEmpty() || oauthSettings == null)) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "--web-client-id (BATON_WEB_CLIENT_ID) needs --public-url and --oauth-issuer: people sign in at that issuer.");
        }
        // the issuer is asked before anything opens, so a wrong one ends the start with one sentence
        OAuthResourceServer oauth = oauthSettings == null ? null
                : OAuthResourceServer.discover(oauthSettings, Clock.systemUTC());
        LimitSettings limits = limitOptions.settings(env);
        Config config = storage.config(env);
        AgentSettings agentSettings = agentOptions.settings(env);
        JacksonMcpJsonMapper jsonMapper = new JacksonMcpJsonMapper(new ObjectMapper());
        CountDownLatch closed = new CountDownLatch(1);
        try (Storage db = Storage.open(config.dbUrl(), config.dataDir(), HTTP_POOL_SIZE);
                ToolGateway gateway = new ToolGateway(agentSettings.upstreams(), jsonMapper, BatonMcpServer.version());
                // closed before the pool, also after SIGTERM (its hook waits for this thread): the
                // reads still folded in memory reach the activity
                Conversations conversations = sharingOptions.conversations(db.database(), gateway, env)) {
            PromptLibrary prompts = new PromptLibrary();
            Agent agent = Agent.create(conversations, prompts, agentSettings, gateway);
            Tokens tokens = new Tokens(db.database(), Clock.systemUTC());
            ShareLinks links = publicUrl.<ShareLinks>map(url -> id -> Optional.of(url.conversation(id)))
                    .orElse(ShareLinks.NONE);
            WebPages pages = publicUrl.map(url -> new WebPages(conversations,
                    new WebSessions(db.database(), Clock.systemUTC(), sessionTtl), tokens, url,
                    signInFlows(url, oauth, tokens))).orElse(null);
            BatonHttpServer server = BatonHttpServer.start(settings, limits, conversations, agent, prompts, tokens,
                    db.database(), links, pages, oauth);
            publicUrl.ifPresent(url -> log.info("serving web pages for people at {}", url.base()));
            // SIGTERM/SIGINT: stop taking requests, then let this thread close the pool before the JVM ends
            Thread hook = new Thread(() -> {
                server.close();
                awaitQuietly(closed);
            }, "baton-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            log.info("agent: {}, {} upstream server(s) {}", agentSettings.model(), agentSettings.upstreams().size(),
                    agentSettings.upstreams().stream().map(u -> u.name()).toList());
            // the one line scripts and tests wait for
            System.err.println(server.announcement());
            server.join();
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /**
     * The pages' sign-in at the OAuth issuer, when it and the web client are configured: against
     * the metadata discovered at start, checking tokens as {@code /mcp} does for the same resource.
     */
    List<SignInFlow> signInFlows(PublicUrl url, OAuthResourceServer oauth, Tokens tokens) {
        Optional<String> clientId = webOptions.clientId(env);
        if (clientId.isEmpty() || oauth == null) {
            return List.of();
        }
        URI resource = oauth.settings().resource(URI.create(url.base() + "/mcp"));
        log.info("people may sign in to the web pages at {} as client {}", oauth.settings().issuer(), clientId.get());
        return List.of(new OAuthSignIn(oauth.metadata(), oauth.bearers(tokens, resource), resource, url,
                clientId.get(), webOptions.clientSecret(env), oauth.settings().roleClaim() == null));
    }

    /**
     * Waits for stdin to close. A database that could not be opened ends Baton too, with the
     * sentence that says why (thrown on, as when the open still came before the server).
     */
    /**
     * Until stdin has ended (and the answers owed were written), or the database, opening in the
     * background, failed to open: then its sentence ends the process.
     */
    private static void awaitEnd(StdioTransport transport, CompletableFuture<Void> opened) throws InterruptedException {
        while (!transport.awaitEnd(50, TimeUnit.MILLISECONDS)) {
            if (opened.isCompletedExceptionally()) {
                break;
            }
        }
        if (opened.isCompletedExceptionally()) {
            try {
                opened.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(7, TimeUnit.SECONDS); // SIGTERM ends Baton within 10 s, whatever the database does
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Identity identity() {
        return identityOptions.identity(env);
    }
}
