package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StdioDrainTest {

    @Test
    void theEndOfStdinWaitsForEveryAnswerOwed() throws Exception {
        StdioDrain drain = new StdioDrain(Duration.ofSeconds(30));
        String requests = """
                {"jsonrpc":"2.0","id":1,"method":"tools/list"}
                {"jsonrpc":"2.0","method":"notifications/initialized"}
                {"method":"tools/call","params":{"name":"x","arguments":{"id":3}},"jsonrpc":"2.0","id":2}
                """;
        InputStream in = drain.input(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream out = drain.output(written);
        Thread reader = new Thread(() -> {
            try {
                in.readAllBytes();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        reader.start();
        // answers follow their requests: wait until the reader has read them all and waits at the end
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reader.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(reader.getState()).isEqualTo(Thread.State.TIMED_WAITING);

        out.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8));
        out.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[" + "{\"method\":\"m\",\"id\":9},".repeat(1000)
                + "{}]}}").getBytes(StandardCharsets.UTF_8));
        out.write("\n".getBytes(StandardCharsets.UTF_8));
        assertThat(drain.closed().await(300, TimeUnit.MILLISECONDS)).as("one answer is still owed").isFalse();

        out.write("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32602,\"message\":\"bad\"}}\n"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(drain.closed().await(5, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(written.toString(StandardCharsets.UTF_8).lines()).hasSize(3);
    }

    @Test
    void theEndOfStdinPassesAfterTheGraceWhenAnAnswerNeverComes() throws Exception {
        StdioDrain drain = new StdioDrain(Duration.ofMillis(200));
        InputStream in = drain.input(new ByteArrayInputStream(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8)));

        in.readAllBytes();

        assertThat(drain.closed().getCount()).isZero();
    }
}
