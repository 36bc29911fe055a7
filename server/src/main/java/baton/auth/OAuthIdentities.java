package baton.auth;

import baton.conversation.BatonException;
import baton.conversation.Identity;
import baton.conversation.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who an OAuth access token speaks for, from its claims: the user from {@code sub} (or the
 * configured claim), the project from {@code baton_project} (or the configured claim, or a fixed
 * project), the role from the scopes {@code baton:viewer}, {@code baton:editor}, {@code baton:admin}
 * (the highest granted wins) or from a configured claim.
 */
final class OAuthIdentities {

    static final String VIEWER_SCOPE = "baton:viewer";
    static final String EDITOR_SCOPE = "baton:editor";
    static final String ADMIN_SCOPE = "baton:admin";

    private final OAuthSettings settings;

    OAuthIdentities(OAuthSettings settings) {
        this.settings = settings;
    }

    BearerCheck identify(Map<String, Object> claims) {
        String user = text(claims.get(settings.userClaim()));
        String project = settings.fixedProject() != null ? settings.fixedProject()
                : text(claims.get(settings.projectClaim()));
        Role role = settings.roleClaim() != null ? roleFromClaim(claims.get(settings.roleClaim()))
                : roleFromScopes(claims);
        List<String> missing = new ArrayList<>();
        if (user == null) {
            missing.add("no user (claim '" + settings.userClaim() + "')");
        }
        if (project == null) {
            missing.add("no project (claim '" + settings.projectClaim() + "')");
        }
        if (role == null) {
            missing.add(settings.roleClaim() != null
                    ? "no role (claim '" + settings.roleClaim() + "' with viewer, editor or admin)"
                    : "no role (scope " + VIEWER_SCOPE + ", " + EDITOR_SCOPE + " or " + ADMIN_SCOPE + ")");
        }
        if (!missing.isEmpty()) {
            String scope = role == null && settings.roleClaim() == null ? VIEWER_SCOPE : null;
            return new BearerCheck.Lacking("The access token names " + String.join(" and ", missing) + ".", scope);
        }
        try {
            return new BearerCheck.Accepted(new Identity(user, project, role), true);
        } catch (BatonException e) {
            // no scope would help: the token itself names something Baton cannot use
            return new BearerCheck.Invalid("The access token's user or project is not usable: " + e.getMessage());
        }
    }

    private static String text(Object value) {
        if (value instanceof String s && !s.isBlank()) {
            return s.strip();
        }
        return null;
    }

    /** The highest of the baton scopes in {@code scope} (space-separated) or {@code scp} (a list or a string). */
    static Role roleFromScopes(Map<String, Object> claims) {
        List<String> scopes = new ArrayList<>();
        for (String claim : List.of("scope", "scp")) {
            Object value = claims.get(claim);
            if (value instanceof String s) {
                scopes.addAll(List.of(s.strip().split("\\s+")));
            } else if (value instanceof Collection<?> list) {
                list.forEach(v -> scopes.add(String.valueOf(v)));
            }
        }
        if (scopes.contains(ADMIN_SCOPE)) {
            return Role.ADMIN;
        }
        if (scopes.contains(EDITOR_SCOPE)) {
            return Role.EDITOR;
        }
        return scopes.contains(VIEWER_SCOPE) ? Role.VIEWER : null;
    }

    /** A role claim: one of viewer/editor/admin, or a list of them (the highest wins); anything else is none. */
    private static Role roleFromClaim(Object value) {
        List<Object> values = value instanceof Collection<?> list ? new ArrayList<>(list)
                : value == null ? List.of() : List.of(value);
        Role best = null;
        for (Object v : values) {
            Role r = switch (String.valueOf(v).strip().toLowerCase(Locale.ROOT)) {
                case "admin" -> Role.ADMIN;
                case "editor" -> Role.EDITOR;
                case "viewer" -> Role.VIEWER;
                default -> null;
            };
            if (r != null && (best == null || r.ordinal() > best.ordinal())) {
                best = r;
            }
        }
        return best;
    }
}
