package baton.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Baton as an OAuth 2.1 resource server of one authorization server: what it discovered at start
 * (metadata and keys), and the checks of bearer tokens once the resource URL is known (it may be
 * the URL of the port Baton bound, so it comes after listening).
 */
public final class OAuthResourceServer {

    private static final Logger log = LoggerFactory.getLogger(OAuthResourceServer.class);

    private final OAuthSettings settings;
    private final AuthorizationServerMetadata metadata;
    private final IssuerKeys keys;
    private final HttpClient http;
    private final Clock clock;

    private OAuthResourceServer(OAuthSettings settings, AuthorizationServerMetadata metadata, IssuerKeys keys,
            HttpClient http, Clock clock) {
        this.settings = settings;
        this.metadata = metadata;
        this.keys = keys;
        this.http = http;
        this.clock = clock;
    }

    /** Discovers the issuer's metadata and fetches its keys; a configuration error naming the issuer when it cannot. */
    public static OAuthResourceServer discover(OAuthSettings settings, Clock clock) {
        return discover(settings, clock, OAuthSettings.REFRESH_INTERVAL);
    }

    static OAuthResourceServer discover(OAuthSettings settings, Clock clock, Duration refreshInterval) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(AuthorizationServerMetadata.TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(http, settings.issuer());
        IssuerKeys keys = new IssuerKeys(http, metadata.jwksUri(), clock, refreshInterval);
        if (!keys.load()) {
            log.warn("the keys of {} could not be fetched at start; they are fetched again when a token comes",
                    settings.issuer());
        }
        return new OAuthResourceServer(settings, metadata, keys, http, clock);
    }

    public OAuthSettings settings() {
        return settings;
    }

    /** What the issuer's metadata said at start (its endpoints for the web pages' sign-in among them). */
    public AuthorizationServerMetadata metadata() {
        return metadata;
    }

    public IssuerKeys keys() {
        return keys;
    }

    /** The checks of every bearer token for {@code resource}: OAuth access tokens beside Baton's own. */
    public Bearers bearers(Tokens tokens, URI resource) {
        URI introspect = settings.introspection();
        Introspection introspection = introspect == null ? null
                : new Introspection(http, settings, introspect, resource, clock);
        return new Bearers(tokens, new AccessTokens(settings, keys, resource, clock), introspection);
    }

    /** The introspection endpoint the issuer's metadata names, when it names one. */
    public URI advertisedIntrospection() {
        return metadata.introspectionEndpoint();
    }
}
