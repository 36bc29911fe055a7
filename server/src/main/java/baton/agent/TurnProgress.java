package baton.agent;

/** Hears about each step of a turn (MCP progress notifications, when the client asked for them). */
@FunctionalInterface
public interface TurnProgress {

    TurnProgress NONE = message -> { };

    void step(String message);
}
