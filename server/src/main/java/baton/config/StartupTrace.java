package baton.config;

import java.lang.management.ManagementFactory;

/**
 * Where a start-up spends its time: with {@code BATON_STARTUP_TRACE=1}, each phase writes one line
 * to stderr, {@code baton: startup +<ms since the JVM started> <phase>}. Off by default, and then
 * it costs one environment look-up (the management classes it needs load only when it is on).
 */
public final class StartupTrace {

    private static final boolean ON = "1".equals(System.getenv("BATON_STARTUP_TRACE"));
    private static final long JVM_START = ON ? ManagementFactory.getRuntimeMXBean().getStartTime() : 0;

    private StartupTrace() {
    }

    /** Notes that {@code phase} has just ended. */
    public static void mark(String phase) {
        if (ON) {
            System.err.println("baton: startup +" + (System.currentTimeMillis() - JVM_START) + " ms " + phase);
        }
    }
}
