package baton.agent;

import java.util.Objects;

/**
 * A tool result classified as an access error.
 *
 * @param tool the tool that failed, as the model called it
 * @param resource what it was refused, such as {@code dataset 'finance'}
 * @param notFound true when the tool said "not found" for a resource the inherited history used;
 *     false when it refused outright (forbidden, permission denied, 401, 403, …)
 */
public record AccessError(String tool, String resource, boolean notFound) {
    public AccessError {
        Objects.requireNonNull(tool, "tool must not be null");
        Objects.requireNonNull(resource, "resource must not be null");
    }
}
