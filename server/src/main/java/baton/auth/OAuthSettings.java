package baton.auth;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.net.URI;
import java.time.Duration;

/**
 * How Baton acts as an OAuth 2.1 resource server (MCP authorization, RFC 9728, RFC 8707).
 *
 * @param issuer the authorization server whose JWT access tokens Baton accepts (its {@code iss})
 * @param publicUrl where clients reach Baton ({@code --public-url}), or null: then the resource is
 *     the URL Baton announces when it starts (loopback; for trying things out)
 * @param userClaim the claim naming the user ({@code sub} by default)
 * @param projectClaim the claim naming the project ({@code baton_project} by default)
 * @param fixedProject the project of every OAuth caller, instead of a claim; or null
 * @param roleClaim a claim holding {@code viewer}, {@code editor} or {@code admin}, instead of the
 *     {@code baton:*} scopes; or null
 * @param introspection an RFC 7662 introspection endpoint for tokens that are not JWTs; or null
 * @param introspectionClient {@code client_id:client_secret} Baton authenticates with at the
 *     introspection endpoint; or null
 */
public record OAuthSettings(URI issuer, URI publicUrl, String userClaim, String projectClaim, String fixedProject,
        String roleClaim, URI introspection, String introspectionClient) {

    /** The most a clock may differ between the issuer and Baton when checking {@code exp} and {@code nbf}. */
    public static final Duration LEEWAY = Duration.ofSeconds(60);
    /** An unknown key id makes Baton fetch the issuer's keys again, at most this often. */
    public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(30);
    public static final String DEFAULT_USER_CLAIM = "sub";
    public static final String DEFAULT_PROJECT_CLAIM = "baton_project";

    public OAuthSettings {
        issuer = requireHttpUrl(issuer, "--oauth-issuer");
        if (publicUrl != null) {
            publicUrl = requireHttpUrl(publicUrl, "--public-url");
        }
        if (introspection != null) {
            introspection = requireHttpUrl(introspection, "--oauth-introspection-url");
        }
        userClaim = claimName(userClaim, DEFAULT_USER_CLAIM, "--oauth-user-claim");
        projectClaim = claimName(projectClaim, DEFAULT_PROJECT_CLAIM, "--oauth-project-claim");
        roleClaim = roleClaim == null ? null : claimName(roleClaim, null, "--oauth-role-claim");
        fixedProject = fixedProject == null || fixedProject.isBlank() ? null : fixedProject.strip();
        if (introspectionClient != null && !introspectionClient.contains(":")) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "BATON_OAUTH_INTROSPECTION_CLIENT must be client_id:client_secret.");
        }
    }

    /**
     * The resource identifier Baton's access tokens must name in {@code aud} (RFC 8707): the public
     * URL's {@code /mcp} endpoint (the public URL itself when it already ends in {@code /mcp}), else
     * {@code announced}, the MCP URL this instance listens at.
     */
    public URI resource(URI announced) {
        if (publicUrl == null) {
            return announced;
        }
        String base = publicUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base.endsWith("/mcp") ? base : base + "/mcp");
    }

    @Override
    public String toString() {
        return "OAuthSettings[issuer=" + issuer + ", publicUrl=" + publicUrl + ", userClaim=" + userClaim
                + ", projectClaim=" + projectClaim + ", fixedProject=" + fixedProject + ", roleClaim=" + roleClaim
                + ", introspection=" + introspection + ", introspectionClient="
                + (introspectionClient == null ? null : "****") + "]";
    }

    private static URI requireHttpUrl(URI url, String option) {
        if (url == null) {
            throw new BatonException(ErrorCode.CONFIGURATION, option + " must be given.");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null || url.getRawQuery() != null
                || url.getRawFragment() != null) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    option + " must be an http(s) URL without query or fragment, not '" + url + "'.");
        }
        return url;
    }

    private static String claimName(String value, String fallback, String option) {
        if (value == null || value.isBlank()) {
            if (fallback == null) {
                throw new BatonException(ErrorCode.CONFIGURATION, option + " must not be empty.");
            }
            return fallback;
        }
        return value.strip();
    }
}
