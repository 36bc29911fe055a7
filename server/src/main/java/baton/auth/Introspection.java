package baton.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opaque (non-JWT) access tokens, asked about at the issuer's RFC 7662 introspection endpoint on
 * every request (no cache: a token revoked at the issuer is refused at once). The answer must say
 * {@code active: true}, name this issuer when it names one, include the resource in {@code aud},
 * and not be past {@code exp}; the identity comes from its claims as for a JWT.
 */
public final class Introspection {

    private static final Logger log = LoggerFactory.getLogger(Introspection.class);

    private final HttpClient http;
    private final URI endpoint;
    private final String clientAuthorization;
    private final URI issuer;
    private final URI resource;
    private final Clock clock;
    private final OAuthIdentities identities;
    private final ObjectMapper mapper = new ObjectMapper();

    public Introspection(HttpClient http, OAuthSettings settings, URI endpoint, URI resource, Clock clock) {
        this.http = http;
        this.endpoint = endpoint;
        this.issuer = settings.issuer();
        this.resource = resource;
        this.clock = clock;
        this.identities = new OAuthIdentities(settings);
        this.clientAuthorization = settings.introspectionClient() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(basic(settings.introspectionClient()));
    }

    public BearerCheck check(String token) {
        Map<String, Object> claims;
        try {
            String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token";
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(AuthorizationServerMetadata.TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
            if (clientAuthorization != null) {
                request.header("Authorization", clientAuthorization);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200 || response.body().length > AuthorizationServerMetadata.MAX_BYTES) {
                log.warn("the introspection endpoint {} answered HTTP {}", endpoint, response.statusCode());
                return new BearerCheck.Invalid("The bearer token could not be checked at the issuer.");
            }
            claims = mapper.readValue(response.body(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            log.warn("could not reach the introspection endpoint {}: {}", endpoint, e.getMessage());
            return new BearerCheck.Invalid("The bearer token could not be checked at the issuer.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new BearerCheck.Invalid("The bearer token could not be checked at the issuer.");
        }
        if (!Boolean.TRUE.equals(claims.get("active"))) {
            return new BearerCheck.Invalid("The issuer says the access token is not active (expired, revoked or unknown).");
        }
        Object iss = claims.get("iss");
        if (iss != null && !issuer.toString().equals(iss)) {
            return new BearerCheck.Invalid("The access token was not issued by " + issuer + ".");
        }
        Object aud = claims.get("aud");
        boolean forUs = aud instanceof String s ? s.equals(resource.toString())
                : aud instanceof Collection<?> list && list.contains(resource.toString());
        if (!forUs) {
            return new BearerCheck.Invalid(
                    "The access token is not meant for this server: its audience (aud) must include " + resource + ".");
        }
        if (claims.get("exp") instanceof Number exp
                && exp.longValue() + OAuthSettings.LEEWAY.toSeconds() < clock.instant().getEpochSecond()) {
            return new BearerCheck.Invalid("The access token has expired.");
        }
        return identities.identify(claims);
    }

    private static byte[] basic(String clientIdAndSecret) {
        int colon = clientIdAndSecret.indexOf(':');
        String id = URLEncoder.encode(clientIdAndSecret.substring(0, colon), StandardCharsets.UTF_8);
        String secret = URLEncoder.encode(clientIdAndSecret.substring(colon + 1), StandardCharsets.UTF_8);
        return (id + ":" + secret).getBytes(StandardCharsets.UTF_8);
    }
}
