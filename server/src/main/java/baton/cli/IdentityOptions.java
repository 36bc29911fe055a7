package baton.cli;

import baton.conversation.Identity;
import baton.conversation.Role;
import java.util.Map;
import picocli.CommandLine.Option;

/** Who the caller is: {@code --user/--project/--role}, else {@code BATON_*}, else OS user, default, editor. */
final class IdentityOptions {

    @Option(names = "--user", paramLabel = "USER", description = "Your user id; default: BATON_USER, else the OS user.")
    String user;

    @Option(names = "--project", paramLabel = "PROJECT", description = "Your project; default: BATON_PROJECT, else 'default'.")
    String project;

    @Option(names = "--role", paramLabel = "ROLE", description = "viewer, editor or admin; default: BATON_ROLE, else editor.")
    String role;

    Identity identity(Map<String, String> env) {
        String userId = first(user, env.get("BATON_USER"), System.getProperty("user.name"));
        String projectId = first(project, env.get("BATON_PROJECT"), "default");
        Role r = Role.parse(first(role, env.get("BATON_ROLE"), "editor"));
        return new Identity(userId, projectId, r);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
