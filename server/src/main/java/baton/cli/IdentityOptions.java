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

    /**
     * The identity these flags, else the environment, else the defaults give. A flag or variable
     * that is given but empty ({@code --user ''}, {@code BATON_USER=}) is refused rather than
     * skipped: falling back to the OS user would serve as someone the caller did not name.
     */
    Identity identity(Map<String, String> env) {
        String userId = given(user, "--user", env, "BATON_USER", System.getProperty("user.name"));
        String projectId = given(project, "--project", env, "BATON_PROJECT", "default");
        Role r = Role.parse(role != null ? role : env.getOrDefault("BATON_ROLE", "editor"));
        return new Identity(userId, projectId, r);
    }

    private static String given(String flagValue, String flag, Map<String, String> env, String variable,
            String fallback) {
        if (flagValue != null) {
            return Identity.requireName(flagValue, flag).strip();
        }
        String fromEnv = env.get(variable);
        if (fromEnv != null) {
            return Identity.requireName(fromEnv, variable).strip();
        }
        return fallback;
    }
}
