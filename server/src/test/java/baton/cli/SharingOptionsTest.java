package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.conversation.BatonException;
import baton.conversation.ToolResultsPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharingOptionsTest {

    @Test
    void theDefaultPolicyIsCheckedUnlessTheFlagOrVariableSaysOtherwise() {
        SharingOptions options = new SharingOptions();
        assertThat(options.defaultPolicy(Map.of())).isEqualTo(ToolResultsPolicy.CHECKED);
        assertThat(options.defaultPolicy(Map.of("BATON_SHARE_TOOL_RESULTS", "none"))).isEqualTo(ToolResultsPolicy.NONE);
        options.shareToolResults = "all";
        assertThat(options.defaultPolicy(Map.of("BATON_SHARE_TOOL_RESULTS", "none"))).isEqualTo(ToolResultsPolicy.ALL);
    }

    @Test
    void aPolicyThatIsNoneOfTheThreeIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new SharingOptions().defaultPolicy(Map.of("BATON_SHARE_TOOL_RESULTS", "some")))
                .isInstanceOf(BatonException.class)
                .hasMessage("BATON_SHARE_TOOL_RESULTS must be checked, all or none, not \"some\".");
    }

    @Test
    void theTtlIsTenMinutesUnlessGiven() {
        SharingOptions options = new SharingOptions();
        assertThat(options.ttl(Map.of())).isEqualTo(Duration.ofMinutes(10));
        assertThat(options.ttl(Map.of("BATON_ENTITLEMENT_TTL", "30"))).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> options.ttl(Map.of("BATON_ENTITLEMENT_TTL", "soon")))
                .hasMessage("BATON_ENTITLEMENT_TTL must be a whole number of seconds, not \"soon\".");
        options.entitlementTtlSeconds = 5;
        assertThat(options.ttl(Map.of())).isEqualTo(Duration.ofSeconds(5));
    }
}
