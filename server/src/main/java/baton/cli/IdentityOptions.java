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
        String userId = Settings.first(user, env.get("BATON_USER"), System.getProperty("user.name"));
        String projectId = Settings.first(project, env.get("BATON_PROJECT"), "default");
        Role r = Role.parse(Settings.first(role, env.get("BATON_ROLE"), "editor"));
        return new Identity(userId, projectId, r);
    }
}
