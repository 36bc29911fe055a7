package baton.bench;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.OAuthResourceServer;
import baton.auth.OAuthSettings;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * What checking a bearer token costs: {@code ping} over Streamable HTTP on loopback with an OAuth
 * JWT access token (signature and claims checked, keys cached), with a Baton token (one indexed
 * lookup in PostgreSQL per request) and with no check at all, the three taking turns in
 * {@link HttpBenchmark#ROUNDS} rounds in one run. The issuer is a small one served in the process
 * (metadata and JWKS over HTTP, RS256).
 */
public final class AuthBenchmark {

    private final Database db;
    private final PrintStream out;

    public AuthBenchmark(Database db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    public void run(int clients, Duration warmUp, Duration measure) throws IOException, JOSEException {
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        Tokens tokens = new Tokens(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        Identity caller = new Identity("bench-caller", "bench-" + UUID.randomUUID(), Role.EDITOR);
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-key").generate();
        HttpServer issuerServer = issuer(key);
        String issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort();
        OAuthResourceServer oauth = OAuthResourceServer.discover(new OAuthSettings(URI.create(issuer), null, null, null,
                null, null, null, null), Clock.systemUTC());
        List<McpSyncClient> sessions = new ArrayList<>();
        try (ToolGateway gateway = new ToolGateway(List.of(), json, "bench");
                BatonHttpServer checked = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                        Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway), prompts, tokens, db,
                        oauth);
                BatonHttpServer unchecked = BatonHttpServer.startUncheckedForBenchmark(HttpSettings.loopback(0),
                        conversations, Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway),
                        prompts, tokens, db, caller)) {
            String jwt = accessToken(key, issuer, checked.mcpUrl().toString(), caller);
            String batonToken = tokens.create(caller, "bench").secret();
            List<List<McpSyncClient>> modes = new ArrayList<>();
            modes.add(open(checked.mcpUrl(), jwt, clients, sessions));
            modes.add(open(checked.mcpUrl(), batonToken, clients, sessions));
            modes.add(open(unchecked.mcpUrl(), "anything", clients, sessions));
            String[] names = {"ping, JWT (OAuth)", "ping, Baton token", "ping, no check"};
            HttpBenchmark.Call ping = McpSyncClient::ping;
            out.printf("%nbearer checks: %d concurrent MCP sessions per kind calling ping, %d s each, in %d rounds%n",
                    clients, measure.toSeconds(), HttpBenchmark.ROUNDS);
            for (List<McpSyncClient> mode : modes) {
                HttpBenchmark.phase(mode, ping, warmUp);
            }
            Duration slice = measure.dividedBy(HttpBenchmark.ROUNDS);
            List<List<long[]>> times = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            List<String> rounds = new ArrayList<>();
            for (int round = 0; round < HttpBenchmark.ROUNDS; round++) {
                long[] counts = new long[3];
                for (int i = 0; i < 3; i++) {
                    int m = (round + i) % 3; // each kind goes first in turn
                    long[] t = HttpBenchmark.phase(modes.get(m), ping, slice);
                    times.get(m).add(t);
                    counts[m] = t.length;
                }
                rounds.add(String.format("%.0f%%", 100.0 * counts[0] / counts[1]));
            }
            out.printf("%-20s %12s %10s %10s%n", "call", "calls/s", "p50 ms", "p99 ms");
            double[] perSecond = new double[3];
            for (int m = 0; m < 3; m++) {
                long[] all = HttpBenchmark.concat(times.get(m));
                perSecond[m] = all.length / (measure.toNanos() / 1e9);
                out.printf("%-20s %12.0f %10.2f %10.2f%n", names[m], perSecond[m], BenchData.percentile(all, 50) / 1e6,
                        BenchData.percentile(all, 99) / 1e6);
            }
            out.printf("JWT throughput is %.0f%% of Baton tokens' (rounds: %s); Baton tokens' is %.0f%% of no check's%n",
                    100 * perSecond[0] / perSecond[1], String.join(", ", rounds), 100 * perSecond[1] / perSecond[2]);
        } finally {
            sessions.forEach(McpSyncClient::closeGracefully);
            issuerServer.stop(0);
        }
    }

    private static List<McpSyncClient> open(URI url, String token, int clients, List<McpSyncClient> all) {
        List<McpSyncClient> mode = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            McpSyncClient c = HttpBenchmark.client(url, token);
            mode.add(c);
            all.add(c);
        }
        return mode;
    }

    /** An authorization server of the least kind: RFC 8414 metadata and the JWKS, on loopback. */
    private static HttpServer issuer(RSAKey key) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        byte[] metadata = ("{\"issuer\":\"" + base + "\",\"jwks_uri\":\"" + base + "/jwks\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server.createContext("/.well-known/oauth-authorization-server", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, metadata.length);
            exchange.getResponseBody().write(metadata);
            exchange.close();
        });
        server.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String accessToken(RSAKey key, String issuer, String resource, Identity caller)
            throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(resource).subject(caller.userId())
                .claim("baton_project", caller.projectId()).claim("scope", "baton:editor")
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2)))).issueTime(new Date()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
