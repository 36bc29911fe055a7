package baton.replay;

import baton.agent.ModelSettings;
import java.util.Objects;

/**
 * The judge model of {@code judged} expectations ({@code --judge-model}, {@code BATON_JUDGE_*}).
 *
 * @param provider resolved by {@link Providers}
 * @param model its settings; the key was read from the variable the user named
 */
public record JudgeSettings(String provider, ModelSettings model) {

    public JudgeSettings {
        Objects.requireNonNull(provider, "provider must not be null");
        Objects.requireNonNull(model, "model must not be null");
    }
}
