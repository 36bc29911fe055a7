package baton.cli;

import baton.auth.OAuthSettings;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code serve --http} as an OAuth 2.1 resource server: each flag, else its {@code BATON_*}
 * variable. Without an issuer, only Baton tokens are accepted.
 */
final class OAuthOptions {

    @Option(names = "--oauth-issuer", paramLabel = "URL",
            description = "Also accept JWT access tokens of this OAuth 2.1 authorization server (its exact issuer); default: BATON_OAUTH_ISSUER.")
    String issuer;

    @Option(names = "--oauth-user-claim", paramLabel = "CLAIM",
            description = "Claim naming the user; default: BATON_OAUTH_USER_CLAIM, else sub.")
    String userClaim;

    @Option(names = "--oauth-project-claim", paramLabel = "CLAIM",
            description = "Claim naming the project; default: BATON_OAUTH_PROJECT_CLAIM, else baton_project.")
    String projectClaim;

    @Option(names = "--oauth-project", paramLabel = "PROJECT",
            description = "The project of every OAuth caller, instead of a claim; default: BATON_OAUTH_PROJECT.")
    String project;

    @Option(names = "--oauth-role-claim", paramLabel = "CLAIM",
            description = "Claim holding viewer, editor or admin, instead of the scopes baton:viewer/editor/admin; default: BATON_OAUTH_ROLE_CLAIM.")
    String roleClaim;

    @Option(names = "--oauth-introspection-url", paramLabel = "URL",
            description = "RFC 7662 introspection endpoint for opaque (non-JWT) access tokens; default: BATON_OAUTH_INTROSPECTION_URL. Its client credentials come from BATON_OAUTH_INTROSPECTION_CLIENT (client_id:client_secret).")
    String introspectionUrl;

    boolean anyGiven() {
        return issuer != null || userClaim != null || projectClaim != null || project != null
                || roleClaim != null || introspectionUrl != null;
    }

    /** {@link #settings(Map, String)} with the public URL from BATON_PUBLIC_URL only. */
    OAuthSettings settings(Map<String, String> env) {
        return settings(env, null);
    }

    /**
     * The OAuth settings, or null when no issuer is configured (then no other OAuth option may be).
     * {@code publicUrl} is the {@code --public-url} flag (of the web options, which it also serves),
     * else BATON_PUBLIC_URL: the OAuth resource is {@code <URL>/mcp}, else the URL Baton announces.
     */
    OAuthSettings settings(Map<String, String> env, String publicUrl) {
        String iss = Settings.first(issuer, env.get("BATON_OAUTH_ISSUER"));
        String pub = Settings.first(publicUrl, env.get("BATON_PUBLIC_URL"));
        String intro = Settings.first(introspectionUrl, env.get("BATON_OAUTH_INTROSPECTION_URL"));
        if (iss == null || iss.isBlank()) {
            if (userClaim != null || projectClaim != null || project != null || roleClaim != null || intro != null) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "--oauth-* options need --oauth-issuer (or BATON_OAUTH_ISSUER).");
            }
            return null;
        }
        return new OAuthSettings(url(iss, "--oauth-issuer"), pub == null || pub.isBlank() ? null : url(pub, "--public-url"),
                Settings.first(userClaim, env.get("BATON_OAUTH_USER_CLAIM")),
                Settings.first(projectClaim, env.get("BATON_OAUTH_PROJECT_CLAIM")),
                Settings.first(project, env.get("BATON_OAUTH_PROJECT")),
                Settings.first(roleClaim, env.get("BATON_OAUTH_ROLE_CLAIM")),
                intro == null || intro.isBlank() ? null : url(intro, "--oauth-introspection-url"),
                env.get("BATON_OAUTH_INTROSPECTION_CLIENT"));
    }

    private static URI url(String value, String option) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, option + " must be a URL, not '" + value.strip() + "'.");
        }
    }
}
