package baton.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * How long and how hard the reliability tests run. The defaults are the short versions that run in
 * every build; the {@code reliability} Maven profile sets the long ones through system properties.
 * Every figure a test measures is printed and kept in {@code target/reliability/<test>.txt}.
 */
final class Budget {

    private Budget() {
    }

    /** Seconds of load ({@code baton.reliability.seconds}). */
    static Duration load() {
        return Duration.ofSeconds(number("baton.reliability.seconds", 8));
    }

    /** Concurrent MCP clients ({@code baton.reliability.clients}). */
    static int clients() {
        return number("baton.reliability.clients", 32);
    }

    /** Generated calls of the bad-input property ({@code baton.reliability.tries}). */
    static int tries() {
        return number("baton.reliability.tries", 300);
    }

    /** kill -9 rounds of the process-fault test ({@code baton.reliability.kills}). */
    static int kills() {
        return number("baton.reliability.kills", 1);
    }

    /**
     * How long PostgreSQL stays stopped in the database-fault test ({@code baton.reliability.outage.seconds}):
     * longer than the pool's connection timeout (5 s), so that calls made while it is down fail
     * rather than wait for its return.
     */
    static Duration outage() {
        return Duration.ofSeconds(number("baton.reliability.outage.seconds", 6));
    }

    private static int number(String property, int fallback) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    /** Prints {@code text} and writes it to {@code target/reliability/<name>.txt}. */
    static void report(String name, String text) {
        System.out.println(text);
        Path dir = Path.of(System.getProperty("baton.reliability.reportDir", "target/reliability"));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".txt"), text + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
