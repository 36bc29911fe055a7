package baton.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final OriginPolicy loopback = new OriginPolicy(HttpSettings.loopback(8080));
    private final OriginPolicy published = new OriginPolicy(new HttpSettings("0.0.0.0", 8080,
            HttpSettings.DEFAULT_MAX_REQUEST_BYTES, List.of("baton.example.com"), List.of("https://app.example.com")));

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST:1"})
    void loopbackHostsAreAlwaysServed(String host) {
        assertThat(loopback.checkHost(host)).isNull();
        assertThat(published.checkHost(host)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example:80",
            "[::2]:8080", "0.0.0.0:8080"})
    void otherHostsAreRefused(String host) {
        assertThat(loopback.checkHost(host)).contains("is not served here");
        assertThat(published.checkHost(host)).isNotNull();
    }

    @Test
    void configuredHostsAndTheBindAddressAreServedAndAStarServesAny() {
        assertThat(published.checkHost("baton.example.com:443")).isNull();
        assertThat(new OriginPolicy(new HttpSettings("10.0.0.5", 80, 4096, List.of(), List.of()))
                .checkHost("10.0.0.5")).isNull();
        assertThat(new OriginPolicy(new HttpSettings("10.0.0.5", 80, 4096, List.of("*"), List.of()))
                .checkHost("anything.example")).isNull();
        assertThat(loopback.checkHost(null)).contains("no Host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:6274", "http://127.0.0.1", "https://[::1]:3000", "http://LOCALHOST:5173"})
    void localhostOriginsAreAllowed(String origin) {
        assertThat(loopback.checkOrigin(origin)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "null", "file://", "http://localhost.evil.example",
            "http://localhost:6274/path", "ftp://localhost", "https://app.example.com.evil"})
    void foreignOriginsAreRefused(String origin) {
        assertThat(loopback.checkOrigin(origin)).contains("may not call this server");
        assertThat(published.checkOrigin(origin)).isNotNull();
    }

    @Test
    void configuredOriginsAreAllowedExactlyAndNoOriginIsFine() {
        assertThat(published.checkOrigin("https://app.example.com")).isNull();
        assertThat(published.checkOrigin("http://app.example.com")).isNotNull();
        assertThat(loopback.checkOrigin(null)).isNull();
    }
}
