package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.http.HttpSettings;
import baton.web.PublicUrl;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WebOptionsTest {

    private static WebOptions flags(String... args) {
        return CommandLine.populateCommand(new WebOptions(), args);
    }

    @Test
    void withoutAPublicUrlNoPageIsServed() {
        assertThat(flags().publicUrl(Map.of())).isEmpty();
        assertThat(flags().sessionTtl(Map.of())).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void theFlagWinsOverTheVariableAndATrailingSlashIsDropped() {
        PublicUrl url = flags("--public-url", "https://baton.example.com/").publicUrl(
                Map.of("BATON_PUBLIC_URL", "https://other.example")).orElseThrow();
        UUID id = UUID.randomUUID();
        assertThat(url.conversation(id)).isEqualTo("https://baton.example.com/c/" + id);
        assertThat(url.isHttps()).isTrue();
        assertThat(flags().publicUrl(Map.of("BATON_PUBLIC_URL", "http://localhost:8080")).orElseThrow().origin())
                .isEqualTo("http://localhost:8080");
        assertThat(flags("--web-session-minutes", "60").sessionTtl(Map.of())).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aBadPublicUrlOrSessionLengthIsOneSentence() {
        for (String bad : new String[] {"baton.example.com", "ftp://x.example", "https://x.example/?a=1", "https://u:p@x.example"}) {
            assertThatThrownBy(() -> flags("--public-url", bad).publicUrl(Map.of()))
                    .isInstanceOfSatisfying(BatonException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                        assertThat(e.getMessage()).startsWith("The public URL").endsWith(".");
                    });
        }
        // pages, links and /mcp are served at the root: a path would give links that lead nowhere
        assertThatThrownBy(() -> flags("--public-url", "http://127.0.0.1:18443/baton/").publicUrl(Map.of()))
                .hasMessage("The public URL 'http://127.0.0.1:18443/baton' has a path; Baton is served at the root of"
                        + " its host, so give http(s)://host[:port] only, e.g. https://baton.example.com.");
        assertThatThrownBy(() -> flags("--web-session-minutes", "1").sessionTtl(Map.of()))
                .hasMessage("The web session length must be between 5 and 43200 minutes, not 1.");
    }

    @Test
    void thePublicHostAndOriginPassTheHostAndOriginChecks() {
        HttpSettings settings = WebOptions.allowing(HttpSettings.loopback(0),
                PublicUrl.parse("https://Baton.Example.com:8443/"));
        assertThat(settings.allowedHosts()).containsExactly("baton.example.com");
        assertThat(settings.allowedOrigins()).containsExactly("https://baton.example.com:8443");
    }
}
