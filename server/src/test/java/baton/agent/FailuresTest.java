package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.HttpException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

    @Test
    void aTimeoutAnywhereInTheCausesIsNoAnswerWithinTheTimeout() {
        assertThat(Failures.sentence(new CompletionException(new TimeoutException()), THIRTY_SECONDS))
                .isEqualTo("no answer within 30 s");
        assertThat(Failures.sentence(new UncheckedIOException(new HttpTimeoutException("request timed out")),
                Duration.ofMillis(1500))).isEqualTo("no answer within 1500 ms");
        assertThat(Failures.sentence(new dev.langchain4j.exception.TimeoutException("slow"), THIRTY_SECONDS))
                .isEqualTo("no answer within 30 s");
    }

    @Test
    void aRefusedConnectionAndAnUnknownHostAreNamed() {
        assertThat(Failures.sentence(new RuntimeException("wrapped", new ConnectException("Connection refused: xyz")),
                THIRTY_SECONDS)).isEqualTo("connection refused");
        assertThat(Failures.sentence(new UncheckedIOException(new UnknownHostException("models.invalid")),
                THIRTY_SECONDS)).isEqualTo("unknown host");
    }

    @Test
    void otherwiseTheFirstLineOfTheRootCauseIsGiven() {
        RuntimeException failure = new RuntimeException("outer",
                new IllegalStateException("inner", new IOException("  stream closed\n\tat somewhere")));

        assertThat(Failures.sentence(failure, THIRTY_SECONDS)).isEqualTo("stream closed");
        assertThat(Failures.sentence(new IllegalStateException(), THIRTY_SECONDS))
                .isEqualTo("IllegalStateException");
    }

    @Test
    void aLongMessageIsCutAtThreeHundredCharacters() {
        String shortened = Failures.shorten("x".repeat(1000));

        assertThat(shortened).hasSize(Failures.MAX_DETAIL + 1).endsWith("…");
        assertThat(Failures.shorten("y".repeat(Failures.MAX_DETAIL))).isEqualTo("y".repeat(Failures.MAX_DETAIL));
    }

    @Test
    void secondsAreWholeSecondsOrMilliseconds() {
        assertThat(Failures.seconds(Duration.ofMinutes(10))).isEqualTo("600 s");
        assertThat(Failures.seconds(Duration.ofMillis(250))).isEqualTo("250 ms");
    }

    @Test
    void theHttpStatusIsFoundAmongTheCausesOrIsMinusOne() {
        assertThat(ModelCaller.status(new RuntimeException(new HttpException(429, "Too Many Requests")))).isEqualTo(429);
        assertThat(ModelCaller.status(new HttpException(503, "unavailable"))).isEqualTo(503);
        assertThat(ModelCaller.status(new RuntimeException(new ConnectException("refused")))).isEqualTo(-1);
    }
}
