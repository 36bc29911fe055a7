package baton.e2e;

import java.util.Map;

/**
 * The conformance scenarios that Baton does not pass, each with its reason (the README lists
 * every scenario). Two kinds: those that call the suite's fixture tools, prompts and resources
 * (the reference "everything" server's {@code test_*} names), which Baton does not have and
 * should not grow; and those waiting for work on another branch, to be taken off once it is merged.
 */
final class ConformanceScenarios {

    static final String FIXTURE = "needs the conformance suite's fixture ";

    static final Map<String, String> KNOWN = Map.ofEntries();

    private ConformanceScenarios() {
    }
}
