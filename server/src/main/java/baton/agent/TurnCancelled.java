package baton.agent;

/**
 * Thrown inside a turn when its caller cancelled it; the turn then ends with
 * {@link #SENTENCE} as its error result.
 */
final class TurnCancelled extends RuntimeException {

    static final String SENTENCE = "The turn was cancelled by the caller.";

    TurnCancelled() {
        super(SENTENCE, null, false, false);
    }
}
