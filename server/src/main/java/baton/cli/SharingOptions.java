package baton.cli;

import baton.agent.ToolGateway;
import baton.agent.UpstreamEntitlements;
import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.Entitlements;
import baton.conversation.ErrorCode;
import baton.conversation.ToolResultsPolicy;
import baton.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How shares treat tool results: the default policy of {@code share_conversation} and how long
 * the outcome of an entitlement check is kept.
 */
final class SharingOptions {

    @Option(names = "--share-tool-results", paramLabel = "POLICY",
            description = "Default tool_results of share_conversation: checked, all or none;"
                    + " default: BATON_SHARE_TOOL_RESULTS, else checked.")
    String shareToolResults;

    @Option(names = "--entitlement-ttl", paramLabel = "SECONDS",
            description = "How long the outcome of re-running a recorded call as a reader is kept;"
                    + " default: BATON_ENTITLEMENT_TTL, else 600.")
    Integer entitlementTtlSeconds;

    ToolResultsPolicy defaultPolicy(Map<String, String> env) {
        String text = Settings.first(shareToolResults, env.get("BATON_SHARE_TOOL_RESULTS"));
        if (text == null) {
            return ToolResultsPolicy.CHECKED;
        }
        try {
            return ToolResultsPolicy.parse(text.strip());
        } catch (BatonException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, (shareToolResults != null ? "--share-tool-results"
                    : "BATON_SHARE_TOOL_RESULTS") + " must be checked, all or none, not \"" + text + "\".");
        }
    }

    Duration ttl(Map<String, String> env) {
        if (entitlementTtlSeconds != null) {
            if (entitlementTtlSeconds < 0) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "--entitlement-ttl must be at least 0, not " + entitlementTtlSeconds + ".");
            }
            return Duration.ofSeconds(entitlementTtlSeconds);
        }
        String text = Settings.first(env.get("BATON_ENTITLEMENT_TTL"));
        if (text == null) {
            return UpstreamEntitlements.DEFAULT_TTL;
        }
        try {
            long seconds = Long.parseLong(text.strip());
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "BATON_ENTITLEMENT_TTL must be a whole number of seconds, not \"" + text + "\".");
        }
    }

    /**
     * The conversation service with its entitlement checks: on the upstreams of the gateway, or,
     * when none is configured, none at all (every result of a {@code checked} share is then withheld
     * as unchecked).
     */
    Conversations conversations(Database db, ToolGateway gateway, Map<String, String> env) {
        ToolResultsPolicy policy = defaultPolicy(env);
        Duration ttl = ttl(env);
        Entitlements entitlements = gateway.servers().isEmpty() ? Entitlements.NONE
                : new UpstreamEntitlements(gateway, db, ttl, Clock.systemUTC());
        return new Conversations(db, Clock.systemUTC(), entitlements, policy);
    }
}
