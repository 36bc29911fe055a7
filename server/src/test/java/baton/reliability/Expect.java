package baton.reliability;

import java.util.function.Predicate;

/** What a call may answer: the load fails on any other answer. */
record Expect(String description, Predicate<Outcome> test) {

    static Expect ok() {
        return new Expect("a result", Outcome::ok);
    }

    /** An {@code isError} result whose sentence contains {@code fragment}. */
    static Expect refused(String fragment) {
        return new Expect("refused with '" + fragment + "'",
                o -> o.kind() == Outcome.Kind.REFUSED && o.text().contains(fragment));
    }

    /** A JSON-RPC error whose message contains {@code fragment} (an unknown tool; for prompts and resources, any failure). */
    static Expect rejected(String fragment) {
        return new Expect("a JSON-RPC error with '" + fragment + "'",
                o -> o.kind() == Outcome.Kind.REJECTED && o.text().contains(fragment));
    }

    Expect or(Expect other) {
        return new Expect(description + " or " + other.description, test.or(other.test));
    }

    boolean accepts(Outcome outcome) {
        return test.test(outcome);
    }
}
