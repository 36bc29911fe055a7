package baton.conversation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The port through which the access rules learn whether a reader could obtain a recorded tool
 * result themselves. {@code conversation} owns it; the agent implements it by re-running the
 * recorded call as the reader on the upstream that offers it read-only; {@code cli} wires them.
 * An implementation never shows anyone what its re-runs return, never writes upstream, and is
 * bounded in time: what it cannot decide in time is {@link Entitlement#unchecked()}.
 */
public interface Entitlements {

    /** Without upstreams nothing can be checked: every result of a {@code checked} share is withheld. */
    Entitlements NONE = (reader, calls) -> {
        Map<RecordedCall, Entitlement> out = new HashMap<>();
        calls.forEach(call -> out.put(call, Entitlement.unchecked()));
        return out;
    };

    /**
     * The verdicts already known for some of these calls (kept from earlier checks, within their
     * time to live), looked up on {@code connection}: inside the transaction of the read that needs
     * them, so a read whose verdicts are all known costs no transaction of its own. Calls left out
     * go to {@link #check}. Never reaches an upstream.
     */
    default Map<RecordedCall, Entitlement> known(Connection connection, Identity reader,
            Collection<RecordedCall> calls) throws SQLException {
        return Map.of();
    }

    /**
     * Checks each distinct call for the reader: the calls {@link #known} did not answer (an
     * implementation need not look them up again).
     *
     * @return an entitlement for every call given (a call left out counts as unchecked)
     */
    Map<RecordedCall, Entitlement> check(Identity reader, Collection<RecordedCall> calls);
}
