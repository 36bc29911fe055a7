package baton.web;

import baton.auth.AuthorizationServerMetadata;
import baton.auth.BearerCheck;
import baton.auth.Bearers;
import baton.auth.WebSessions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in with the OAuth issuer Baton already trusts for {@code /mcp}: the authorization code flow
 * with PKCE (S256), a {@code state}, and a nonce when the issuer is an OpenID provider, asking for
 * a token whose audience is Baton ({@code resource}, RFC 8707). {@code /signin/oauth} sends the
 * browser to the issuer's {@code authorization_endpoint}, keeping state, verifier and nonce in a
 * short-lived HttpOnly cookie of its own (never in a URL or a log line);
 * {@code /signin/oauth/callback} checks the state, exchanges the code at the {@code token_endpoint}
 * and checks the access token exactly as {@code /mcp} checks a bearer token, so the person is the
 * user, project and role its claims name, as over MCP. The token is then forgotten: the web session
 * is what remains.
 */
public final class OAuthSignIn implements SignInFlow {

    private static final Logger log = LoggerFactory.getLogger(OAuthSignIn.class);
    static final String NAME = "oauth";
    static final String COOKIE = "baton_oauth";
    /** How long a person may take at the issuer before the flow must start again. */
    static final Duration PENDING = Duration.ofMinutes(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String SECRET_SHAPE = "[A-Za-z0-9_-]{43}";
    private static final List<String> BATON_SCOPES = List.of("baton:viewer", "baton:editor", "baton:admin");

    private final AuthorizationServerMetadata metadata;
    private final Bearers bearers;
    private final URI resource;
    private final PublicUrl publicUrl;
    private final String clientId;
    private final String clientSecret;
    private final boolean roleFromScopes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param bearers the checks of {@code /mcp}'s bearer tokens for {@code resource}
     * @param clientSecret null for a public client (PKCE alone)
     * @param roleFromScopes whether roles come from the {@code baton:*} scopes (then they are asked for)
     */
    public OAuthSignIn(AuthorizationServerMetadata metadata, Bearers bearers, URI resource, PublicUrl publicUrl,
            String clientId, String clientSecret, boolean roleFromScopes) {
        this.metadata = Objects.requireNonNull(metadata, "metadata must not be null");
        this.bearers = Objects.requireNonNull(bearers, "bearers must not be null");
        this.resource = Objects.requireNonNull(resource, "resource must not be null");
        this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl must not be null");
        this.clientId = Objects.requireNonNull(clientId, "clientId must not be null");
        this.clientSecret = clientSecret == null || clientSecret.isEmpty() ? null : clientSecret;
        this.roleFromScopes = roleFromScopes;
        if (metadata.authorizationEndpoint() == null || metadata.tokenEndpoint() == null) {
            throw new baton.conversation.BatonException(baton.conversation.ErrorCode.CONFIGURATION,
                    "The OAuth issuer " + metadata.issuer() + " names no authorization_endpoint or token_endpoint,"
                            + " so people cannot sign in with it (leave out --web-client-id).");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String label() {
        return "Sign in with " + metadata.issuer().getHost();
    }

    /** Where the issuer sends the browser back. */
    URI redirectUri() {
        return URI.create(publicUrl.base() + "/signin/" + NAME + "/callback");
    }

    @Override
    public Optional<SignedIn> handle(HttpServletRequest request, HttpServletResponse response, String rest)
            throws IOException {
        if (rest.isEmpty()) {
            start(request, response);
            return Optional.empty();
        }
        if (rest.equals("/callback")) {
            return Optional.of(callback(request, response));
        }
        throw new SignInFlow.Refused(HttpServletResponse.SC_NOT_FOUND, "There is no such sign-in page.");
    }

    private void start(HttpServletRequest request, HttpServletResponse response) {
        Pending pending = new Pending(WebSessions.randomSecret(), WebSessions.randomSecret(),
                metadata.openIdConnect() ? WebSessions.randomSecret() : null);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", redirectUri().toString());
        String scope = scope();
        if (!scope.isEmpty()) {
            query.put("scope", scope);
        }
        query.put("state", pending.state());
        query.put("code_challenge", challenge(pending.verifier()));
        query.put("code_challenge_method", "S256");
        query.put("resource", resource.toString());
        if (pending.nonce() != null) {
            query.put("nonce", pending.nonce());
        }
        Cookies.set(response, cookieName(request), pending.cookie(), PENDING.toSeconds(), publicUrl, request, "Lax");
        String endpoint = metadata.authorizationEndpoint().toString();
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", endpoint + (endpoint.contains("?") ? "&" : "?") + form(query));
    }

    /**
     * {@code openid} for an OpenID provider, and the {@code baton:*} scopes when roles come from
     * scopes: those the issuer lists, or all three when it lists none of them.
     */
    String scope() {
        List<String> scopes = new ArrayList<>();
        if (metadata.openIdConnect()) {
            scopes.add("openid");
        }
        if (roleFromScopes) {
            List<String> listed = BATON_SCOPES.stream().filter(metadata.scopesSupported()::contains).toList();
            scopes.addAll(listed.isEmpty() ? BATON_SCOPES : listed);
        }
        return String.join(" ", scopes);
    }

    private SignedIn callback(HttpServletRequest request, HttpServletResponse response) {
        Optional<Pending> pending = Pending.parse(Cookies.get(request, cookieName(request)));
        Cookies.clear(response, cookieName(request), publicUrl, request);
        String error = request.getParameter("error");
        if (error != null) {
            throw new SignInFlow.Refused(HttpServletResponse.SC_UNAUTHORIZED, error.equals("access_denied")
                    ? "The sign-in was not allowed at " + metadata.issuer().getHost() + "; nothing was signed in."
                    : "The issuer ended the sign-in with the error " + (error.matches("[a-z_]{1,40}") ? error
                            : "it sent") + "; start again.");
        }
        String state = request.getParameter("state");
        if (pending.isEmpty() || state == null || !MessageDigest.isEqual(pending.get().state()
                .getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            throw new SignInFlow.Refused(HttpServletResponse.SC_BAD_REQUEST, "This sign-in was not started in this browser"
                    + " in the last " + PENDING.toMinutes() + " minutes (its state does not match); start again.");
        }
        String code = request.getParameter("code");
        if (code == null || code.isEmpty()) {
            throw new SignInFlow.Refused(HttpServletResponse.SC_BAD_REQUEST, "The issuer sent no code; start again.");
        }
        JsonNode tokens = exchange(code, pending.get().verifier());
        String accessToken = tokens.path("access_token").asText("");
        if (pending.get().nonce() != null && tokens.hasNonNull("id_token")
                && !pending.get().nonce().equals(nonce(tokens.path("id_token").asText("")))) {
            throw new SignInFlow.Refused(HttpServletResponse.SC_UNAUTHORIZED,
                    "The issuer's ID token is not for this sign-in (its nonce does not match); start again.");
        }
        BearerCheck check = bearers.check(accessToken);
        if (check instanceof BearerCheck.Accepted accepted && accepted.oauth()) {
            return new SignedIn(accepted.identity(), null);
        }
        String why = check instanceof BearerCheck.Lacking lacking ? lacking.sentence()
                : check instanceof BearerCheck.Invalid invalid ? invalid.sentence()
                : "the issuer answered something that is not one of its access tokens.";
        log.info("an OAuth sign-in was refused: {}", why);
        throw new SignInFlow.Refused(HttpServletResponse.SC_FORBIDDEN, "Baton does not accept the issuer's token: " + why);
    }

    /** The token endpoint's answer to the code (RFC 6749 §4.1.3, with the PKCE verifier and the resource). */
    private JsonNode exchange(String code, String verifier) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", redirectUri().toString());
        body.put("code_verifier", verifier);
        body.put("resource", resource.toString());
        HttpRequest.Builder request = HttpRequest.newBuilder(metadata.tokenEndpoint()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (clientSecret == null) {
            body.put("client_id", clientId);
        } else {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (enc(clientId) + ":" + enc(clientSecret)).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(request.POST(HttpRequest.BodyPublishers.ofString(form(body))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            log.warn("the OAuth token endpoint {} could not be reached: {}", metadata.tokenEndpoint(), e.getMessage());
            throw new SignInFlow.Refused(HttpServletResponse.SC_BAD_GATEWAY,
                    "Baton could not reach the issuer to finish the sign-in; try again shortly.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInFlow.Refused(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "The sign-in was interrupted; start again.");
        }
        JsonNode doc = null;
        if (answer.body().length <= 256 * 1024) {
            try {
                doc = json.readTree(answer.body());
            } catch (IOException e) {
                doc = null;
            }
        }
        if (answer.statusCode() != 200 || doc == null || !doc.path("access_token").isTextual()) {
            String error = doc == null ? "" : doc.path("error").asText("");
            log.info("the OAuth token endpoint refused a code: HTTP {} {}", answer.statusCode(),
                    error.matches("[a-z_]{1,40}") ? error : "");
            throw new SignInFlow.Refused(HttpServletResponse.SC_UNAUTHORIZED,
                    "The issuer would not exchange the sign-in's code for a token; start again.");
        }
        return doc;
    }

    /** The {@code nonce} claim of an ID token that came straight from the token endpoint (OIDC §3.1.3.7). */
    private String nonce(String idToken) {
        String[] parts = idToken.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        try {
            return json.readTree(Base64.getUrlDecoder().decode(parts[1])).path("nonce").asText(null);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Under https, a {@code __Host-} cookie: no sibling domain can set it (and so fix the state). */
    private String cookieName(HttpServletRequest request) {
        return Cookies.secure(publicUrl, request) ? "__Host-" + COOKIE : COOKIE;
    }

    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** What the browser keeps while at the issuer: state, PKCE verifier and, for OpenID, the nonce. */
    private record Pending(String state, String verifier, String nonce) {

        String cookie() {
            return state + "." + verifier + (nonce == null ? "" : "." + nonce);
        }

        static Optional<Pending> parse(String cookie) {
            if (cookie == null) {
                return Optional.empty();
            }
            String[] parts = cookie.split("\\.");
            if (parts.length < 2 || parts.length > 3) {
                return Optional.empty();
            }
            for (String part : parts) {
                if (!part.matches(SECRET_SHAPE)) {
                    return Optional.empty();
                }
            }
            return Optional.of(new Pending(parts[0], parts[1], parts.length == 3 ? parts[2] : null));
        }
    }
}
