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

    /** Words that only a refusal uses. */
    private static final Pattern REFUSED = Pattern.compile("(?i)\\b(?:forbidden|permission denied"
            + "|access (?:is )?denied|(?:un|not )authori[sz]ed"
            + "|(?:do|does|did)(?: not|n't) have (?:the )?(?:permission|access|rights?)|no access"
            + "|insufficient (?:permissions?|privileges?|rights|scopes?))\\b");

    /** Words a refusal uses, but also a check of an argument's value ("limit 0 is not allowed"). */
    private static final Pattern MAYBE_REFUSED = Pattern.compile("(?i)\\b(?:not allowed|not permitted|401|403)\\b");

    /** How a check of an argument's value reads; with it, {@link #MAYBE_REFUSED} is no refusal. */
    private static final Pattern VALIDATION = Pattern.compile("(?i)\\b(?:must|should|invalid|expected|at least"
            + "|at most|between|out of range|too (?:long|short|large|small|many))\\b");

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
        if (REFUSED.matcher(text).find()
                || MAYBE_REFUSED.matcher(text).find() && !VALIDATION.matcher(text).find()) {
            return Optional.of(new AccessError(tool, ResourceRef.describe(arguments), false));
        }
        if (NOT_FOUND.matcher(text).find()) {
            // what was not found is the first argument the message names ("table 'x' does not
            // exist in dataset 'sales'" is about the table), and only that one counts
            return ResourceRef.subjectOf(arguments, text)
                    .filter(inherited::used)
                    .map(r -> new AccessError(tool, r.toString(), true));
        }
        return Optional.empty();
    }
}
