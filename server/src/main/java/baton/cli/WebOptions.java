package baton.cli;

import baton.auth.WebSessions;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.http.HttpSettings;
import baton.web.PublicUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The pages for people ({@code serve --http --public-url URL}): each flag, else its variable, else the default. */
final class WebOptions {

    @Option(names = "--public-url", paramLabel = "URL",
            description = "Where people reach this server (e.g. https://baton.example.com): serves the web pages (/, /c/{id}, /signin) and makes share_conversation answer share_url; default: BATON_PUBLIC_URL, else no pages.")
    String publicUrl;

    @Option(names = "--web-session-minutes", paramLabel = "MINUTES",
            description = "How long a web sign-in lasts (5 to 43200); default: BATON_WEB_SESSION_MINUTES, else 720 (12 hours).")
    Long sessionMinutes;

    @Option(names = "--web-client-id", paramLabel = "ID",
            description = "The OAuth client id of the web pages: with --oauth-issuer and --public-url, people sign in at the issuer (authorization code flow with PKCE, redirect URI <public-url>/signin/oauth/callback); default: BATON_WEB_CLIENT_ID, else only the token form.")
    String clientId;

    @Option(names = "--web-client-secret", paramLabel = "SECRET",
            description = "The web client's secret, for a confidential client (prefer the variable: a flag shows in the process list); default: BATON_WEB_CLIENT_SECRET, else a public client (PKCE alone).")
    String clientSecret;

    boolean anyGiven() {
        return publicUrl != null || sessionMinutes != null || clientId != null || clientSecret != null;
    }

    /** The web client's id, when people sign in with OAuth. */
    Optional<String> clientId(Map<String, String> env) {
        String id = Settings.first(clientId, env.get("BATON_WEB_CLIENT_ID"));
        return id == null || id.isBlank() ? Optional.empty() : Optional.of(id.strip());
    }

    /** The web client's secret, or null for a public client. */
    String clientSecret(Map<String, String> env) {
        String secret = Settings.first(clientSecret, env.get("BATON_WEB_CLIENT_SECRET"));
        return secret == null || secret.isBlank() ? null : secret.strip();
    }

    /** The public URL, when the pages are served. */
    Optional<PublicUrl> publicUrl(Map<String, String> env) {
        String url = publicUrl != null ? publicUrl : env.get("BATON_PUBLIC_URL");
        return url == null || url.isBlank() ? Optional.empty() : Optional.of(PublicUrl.parse(url));
    }

    Duration sessionTtl(Map<String, String> env) {
        long minutes = sessionMinutes != null ? sessionMinutes
                : Settings.number(env, "BATON_WEB_SESSION_MINUTES", WebSessions.DEFAULT_TTL.toMinutes());
        if (minutes < 5 || minutes > 43_200) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "The web session length must be between 5 and 43200 minutes, not " + minutes + ".");
        }
        return Duration.ofMinutes(minutes);
    }

    /** The HTTP settings with the public URL's host and origin allowed by the Host and Origin checks. */
    static HttpSettings allowing(HttpSettings settings, PublicUrl url) {
        List<String> hosts = new ArrayList<>(settings.allowedHosts());
        if (!hosts.contains(url.host())) {
            hosts.add(url.host());
        }
        List<String> origins = new ArrayList<>(settings.allowedOrigins());
        if (!origins.contains(url.origin())) {
            origins.add(url.origin());
        }
        return new HttpSettings(settings.bind(), settings.port(), settings.maxRequestBytes(), hosts, origins);
    }
}
