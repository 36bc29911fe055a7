package baton.agent;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a failed tool result is an access error: a refusal (forbidden, permission
 * denied, not allowed, unauthorized, 401, 403, …) in a JSON-RPC error or an {@code isError}
 * result, or "not found" for a resource that the inherited part of the conversation used
 * successfully. Other failures (bad arguments, a dead upstream, "not found" for something never
 * seen before) are not.
 */
public final class AccessErrorClassifier {

    private static final Pattern REFUSED = Pattern.compile("(?i)\\b(?:forbidden|permission denied"
            + "|access (?:is )?denied|not allowed|not permitted|(?:un|not )authori[sz]ed"
            + "|(?:do|does|did)(?: not|n't) have (?:the )?(?:permission|access|rights?)|no access"
            + "|insufficient (?:permissions?|privileges?|rights|scopes?)|401|403)\\b");

    private static final Pattern NOT_FOUND = Pattern.compile("(?i)\\b(?:not found|does not exist|doesn't exist"
            + "|no such|404)\\b");

    /**
     * Classifies one tool outcome.
     *
     * @param tool the tool's name as the model called it
     * @param arguments the call's arguments (empty when they were not valid JSON)
     * @param inherited what the inherited history used successfully
     */
    public Optional<AccessError> classify(String tool, Map<String, Object> arguments, ToolOutcome outcome,
            InheritedUse inherited) {
        if (!outcome.isError() || outcome.unreachable()) {
            return Optional.empty();
        }
        String text = outcome.text();
        if (REFUSED.matcher(text).find()) {
            return Optional.of(new AccessError(tool, ResourceRef.describe(arguments), false));
        }
        if (NOT_FOUND.matcher(text).find()) {
            return ResourceRef.allOf(arguments).stream()
                    .filter(inherited::used)
                    .findFirst()
                    .map(r -> new AccessError(tool, r.toString(), true));
        }
        return Optional.empty();
    }
}
