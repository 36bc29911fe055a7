package baton.agent;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything Baton's own agent needs besides storage.
 *
 * @param model the model endpoint
 * @param upstreams the MCP servers whose tools the model may call, as the caller
 * @param maxSteps how many model calls one turn may make before it stops
 * @param turnTimeout how long one turn may run; an open turn older than this (plus a minute) is
 *     taken for abandoned by a process that died
 */
public record AgentSettings(ModelSettings model, List<UpstreamServer> upstreams, int maxSteps, Duration turnTimeout) {

    public static final int DEFAULT_MAX_STEPS = 8;
    public static final Duration DEFAULT_TURN_TIMEOUT = Duration.ofMinutes(10);

    public AgentSettings {
        Objects.requireNonNull(model, "model must not be null");
        upstreams = List.copyOf(Objects.requireNonNull(upstreams, "upstreams must not be null"));
        Objects.requireNonNull(turnTimeout, "turnTimeout must not be null");
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1");
        }
    }

    /** No model and no upstreams: send_message answers that a model is needed; every other tool works. */
    public static AgentSettings withoutModel() {
        return new AgentSettings(new ModelSettings(null, null, null, ModelSettings.DEFAULT_TIMEOUT, 0,
                ModelSettings.DEFAULT_RETRY_BACKOFF), List.of(), DEFAULT_MAX_STEPS, DEFAULT_TURN_TIMEOUT);
    }

    /** An open turn older than this was left by a process that is gone. */
    public Duration staleTurnAfter() {
        return turnTimeout.plusMinutes(1);
    }
}
