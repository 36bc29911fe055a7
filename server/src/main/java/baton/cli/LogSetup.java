package baton.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * Baton's logging, set up in code (found by logback through {@code META-INF/services}): every line
 * to stderr, because in stdio mode stdout carries the MCP protocol; the root level from
 * {@code BATON_LOG_LEVEL} (default INFO); the libraries' chatter at WARN. Code instead of a
 * logback.xml because parsing the XML took about a sixth of a stdio start-up. A
 * {@code -Dlogback.configurationFile} still wins.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

    private static final String[] QUIET = {"com.zaxxer.hikari", "org.flywaydb", "io.modelcontextprotocol", "io.zonky"};

    /**
     * Loggers that print raw HTTP headers, bearer tokens and cookies included, below INFO: they
     * stay at INFO even when BATON_LOG_LEVEL asks for DEBUG, so no token reaches a log line.
     */
    private static final String[] NEVER_BELOW_INFO = {"org.eclipse.jetty"};

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Line layout = new Line();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(stderr);
        levels(context, System.getenv("BATON_LOG_LEVEL"));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The levels for BATON_LOG_LEVEL {@code level} (INFO when null or not a level). */
    public static void levels(LoggerContext context, String level) {
        Level root = Level.toLevel(level, Level.INFO);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(root);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
        for (String name : NEVER_BELOW_INFO) {
            context.getLogger(name).setLevel(root.isGreaterOrEqual(Level.INFO) ? root : Level.INFO);
        }
    }

    /** {@code HH:mm:ss.SSS LEVEL logger - message}, as the pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n}. */
    static final class Line extends LayoutBase<ILoggingEvent> {
        private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(20);
        /** Read at the first line, not when logging is set up: loading the time zone rules is not free. */
        private ZoneId zone;

        @Override
        public String doLayout(ILoggingEvent event) {
            ZoneId z = zone;
            if (z == null) {
                z = ZoneId.systemDefault();
                zone = z;
            }
            LocalTime time = LocalTime.ofInstant(event.getInstant(), z);
            StringBuilder line = new StringBuilder(128);
            pad(line, time.getHour(), 2).append(':');
            pad(line, time.getMinute(), 2).append(':');
            pad(line, time.getSecond(), 2).append('.');
            pad(line, time.getNano() / 1_000_000, 3).append(' ');
            String level = event.getLevel().toString();
            line.append(level).append(" ".repeat(Math.max(0, 5 - level.length()))).append(' ');
            line.append(abbreviator.abbreviate(event.getLoggerName())).append(" - ");
            line.append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
            }
            return line.toString();
        }

        private static StringBuilder pad(StringBuilder line, int value, int width) {
            String digits = Integer.toString(value);
            return line.append("0".repeat(Math.max(0, width - digits.length()))).append(digits);
        }
    }
}
