package baton.http;

import baton.auth.BearerCheck;
import baton.auth.Bearers;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bearer-token step of the {@link RequestGate}: who the caller is, or the answer that says why
 * not. A missing or bad token gets 401 with {@code WWW-Authenticate: Bearer}; with OAuth on, the
 * challenge carries {@code resource_metadata} (RFC 9728 §5.1) so an MCP client can find the
 * authorization server, and a valid token that lacks a project or role gets 403 naming what is
 * missing. Tokens are never logged nor repeated in an answer.
 */
final class BearerGate {

    static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";
    static final List<String> SCOPES = List.of("baton:viewer", "baton:editor", "baton:admin");
    private static final String REALM = "Bearer realm=\"baton\"";

    private volatile Bearers bearers;
    private volatile URI resource;
    private volatile URI issuer;

    BearerGate(Bearers bearers) {
        this.bearers = bearers;
    }

    /** From now on OAuth access tokens of {@code issuer} for {@code resource} are accepted too. */
    void useOAuth(Bearers withOAuth, URI issuer, URI resource) {
        this.issuer = issuer;
        this.resource = resource;
        this.bearers = withOAuth;
    }

    boolean oauth() {
        return resource != null;
    }

    /** The URL of this resource's RFC 9728 metadata: the well-known prefix inserted before the resource's path. */
    String metadataUrl() {
        URI r = resource;
        String path = r.getRawPath() == null ? "" : r.getRawPath();
        return r.getScheme() + "://" + r.getRawAuthority() + WELL_KNOWN + (path.equals("/") ? "" : path);
    }

    /** The RFC 9728 protected resource metadata document. */
    byte[] metadata(ObjectMapper mapper) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("resource", resource.toString());
        doc.put("authorization_servers", List.of(issuer.toString()));
        doc.put("scopes_supported", SCOPES);
        doc.put("bearer_methods_supported", List.of("header"));
        doc.put("resource_name", "Baton");
        return mapper.writeValueAsBytes(doc);
    }

    /** The caller of a request, or null when this answered it (401/403). */
    BearerCheck.Accepted authenticate(String authorization, HttpServletResponse response) throws IOException {
        if (authorization == null || authorization.isBlank()) {
            response.setHeader("WWW-Authenticate", challenge(null));
            refuse(response, HttpServletResponse.SC_UNAUTHORIZED, oauth()
                    ? "This server needs an Authorization: Bearer header with an access token of " + issuer
                            + " or a token from 'baton token create'."
                    : "This server needs an Authorization: Bearer header with a token from 'baton token create'.");
            return null;
        }
        String[] parts = authorization.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            response.setHeader("WWW-Authenticate", challenge("error=\"invalid_request\""));
            refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "The Authorization header must be 'Bearer <token>'.");
            return null;
        }
        BearerCheck check = bearers.check(parts[1].strip());
        if (check instanceof BearerCheck.Accepted accepted) {
            return accepted;
        }
        if (check instanceof BearerCheck.Lacking lacking) {
            response.setHeader("WWW-Authenticate", challenge("error=\"insufficient_scope\""
                    + (lacking.scope() == null ? "" : ", scope=\"" + lacking.scope() + "\"")));
            refuse(response, HttpServletResponse.SC_FORBIDDEN, lacking.sentence());
            return null;
        }
        response.setHeader("WWW-Authenticate", challenge("error=\"invalid_token\""));
        refuse(response, HttpServletResponse.SC_UNAUTHORIZED, ((BearerCheck.Invalid) check).sentence());
        return null;
    }

    /** {@code Bearer realm="baton"}, with {@code resource_metadata} when OAuth is on, and {@code extra}. */
    String challenge(String extra) {
        StringBuilder out = new StringBuilder(REALM);
        if (oauth()) {
            out.append(", resource_metadata=\"").append(metadataUrl()).append('"');
        }
        if (extra != null) {
            out.append(", ").append(extra);
        }
        return out.toString();
    }

    private static void refuse(HttpServletResponse response, int status, String sentence) throws IOException {
        JsonRpcErrors.write(response, status, null, JsonRpcErrors.REFUSED, sentence);
    }
}
