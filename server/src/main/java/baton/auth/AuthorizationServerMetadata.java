package baton.auth;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Baton learns of the authorization server at start: its metadata (RFC 8414, else OpenID
 * Connect Discovery), in the order the MCP authorization spec has clients try them, and from it the
 * JWKS URL. The metadata's {@code issuer} must be the configured issuer exactly (RFC 8414 §3.3).
 *
 * @param issuer the issuer, as configured and as the metadata states it
 * @param jwksUri where its signing keys are
 * @param introspectionEndpoint its RFC 7662 endpoint, when it states one
 * @param authorizationEndpoint where people are sent to sign in (the code flow), when it states one
 * @param tokenEndpoint where a code is exchanged for tokens, when it states one
 * @param openIdConnect whether it is an OpenID provider (its metadata lists the scope {@code openid}
 *     or came from OpenID Connect Discovery): then sign-in asks for {@code openid} and checks a nonce
 * @param scopesSupported the scopes it lists, or empty when it lists none
 */
public record AuthorizationServerMetadata(URI issuer, URI jwksUri, URI introspectionEndpoint,
        URI authorizationEndpoint, URI tokenEndpoint, boolean openIdConnect, List<String> scopesSupported) {

    public AuthorizationServerMetadata {
        scopesSupported = scopesSupported == null ? List.of() : List.copyOf(scopesSupported);
    }

    private static final Logger log = LoggerFactory.getLogger(AuthorizationServerMetadata.class);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Larger metadata or key sets are a mistake (or an attack); they are not read. */
    static final int MAX_BYTES = 512 * 1024;

    /** Fetches the metadata of {@code issuer}; a sentence naming the issuer when it cannot. */
    public static AuthorizationServerMetadata discover(HttpClient http, URI issuer) {
        ObjectMapper mapper = new ObjectMapper();
        List<String> tried = new ArrayList<>();
        for (URI url : candidates(issuer)) {
            tried.add(url.toString());
            JsonNode doc;
            try {
                doc = getJson(http, mapper, url);
            } catch (IOException e) {
                log.debug("no authorization server metadata at {}: {}", url, e.getMessage());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BatonException(ErrorCode.CONFIGURATION, "Interrupted while discovering " + issuer + ".");
            }
            String stated = doc.path("issuer").asText("");
            if (!stated.equals(issuer.toString())) {
                throw new BatonException(ErrorCode.CONFIGURATION, "The authorization server metadata at " + url
                        + " names the issuer '" + stated + "', not " + issuer + " (--oauth-issuer must be its exact issuer).");
            }
            String jwks = doc.path("jwks_uri").asText("");
            if (jwks.isEmpty()) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "The authorization server metadata at " + url + " names no jwks_uri.");
            }
            String introspection = doc.path("introspection_endpoint").asText("");
            List<String> scopes = new ArrayList<>();
            doc.path("scopes_supported").forEach(scope -> scopes.add(scope.asText("")));
            boolean oidc = scopes.contains("openid") || url.getPath().contains("openid-configuration");
            log.info("OAuth issuer {}: metadata at {}, keys at {}", issuer, url, jwks);
            return new AuthorizationServerMetadata(issuer, URI.create(jwks),
                    introspection.isEmpty() ? null : URI.create(introspection),
                    endpoint(doc, "authorization_endpoint"), endpoint(doc, "token_endpoint"), oidc, scopes);
        }
        throw new BatonException(ErrorCode.CONFIGURATION, "Baton could not read the metadata of the OAuth issuer "
                + issuer + " (tried " + String.join(", ", tried) + ").");
    }

    /** An endpoint the metadata names, or null when it names none or not an http(s) URL. */
    private static URI endpoint(JsonNode doc, String name) {
        String text = doc.path(name).asText("");
        if (text.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            return (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null ? uri : null;
        } catch (java.net.URISyntaxException e) {
            log.warn("the authorization server metadata names an {} that is not a URL", name);
            return null;
        }
    }

    /**
     * RFC 8414 with the path inserted, OpenID Connect with it inserted, then appended (MCP
     * authorization, "Authorization Server Metadata Discovery"), and RFC 8414 appended, which
     * some servers serve instead.
     */
    static List<URI> candidates(URI issuer) {
        String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String origin = issuer.getScheme() + "://" + issuer.getRawAuthority();
        List<URI> out = new ArrayList<>();
        out.add(URI.create(origin + "/.well-known/oauth-authorization-server" + path));
        if (!path.isEmpty()) {
            out.add(URI.create(origin + "/.well-known/openid-configuration" + path));
        }
        out.add(URI.create(origin + path + "/.well-known/openid-configuration"));
        if (!path.isEmpty()) {
            out.add(URI.create(origin + path + "/.well-known/oauth-authorization-server"));
        }
        return out;
    }

    static JsonNode getJson(HttpClient http, ObjectMapper mapper, URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Accept", "application/json").GET()
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_BYTES) {
            throw new IOException("over " + MAX_BYTES + " bytes");
        }
        JsonNode doc = mapper.readTree(response.body());
        if (doc == null || !doc.isObject()) {
            throw new IOException("not a JSON object");
        }
        return doc;
    }
}
