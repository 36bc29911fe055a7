package baton.mcp;

import baton.agent.TurnProgress;
import baton.conversation.Identity;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.LoggingLevel;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a tool call tells its client while it runs: progress notifications when the client sent a
 * progress token (https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/progress),
 * and log notifications (https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/logging)
 * at the level the client set with {@code logging/setLevel} (the SDK drops those below it; before
 * any {@code setLevel} it sends {@code info} and above). Each step of a turn is an {@code info} line,
 * a failed upstream tool call a {@code warning}, a failed turn an {@code error}. Every line has its
 * secrets masked ({@link Secrets}) and never reaches a client that went away with an exception.
 */
public final class ClientLog implements TurnProgress {

    /** The {@code logger} field of Baton's log notifications. */
    public static final String LOGGER = "baton";

    private static final Logger log = LoggerFactory.getLogger(ClientLog.class);

    private final McpSyncServerExchange exchange;
    private final Object progressToken;
    private final String prefix;
    private final AtomicInteger done = new AtomicInteger();

    ClientLog(McpSyncServerExchange exchange, Object progressToken, Identity caller) {
        this.exchange = exchange;
        this.progressToken = progressToken;
        this.prefix = "[" + caller.userId() + "] ";
    }

    /** One step of the work: a progress notification (if asked for) and an {@code info} line. */
    @Override
    public void step(String message) {
        if (progressToken != null) {
            try {
                exchange.progressNotification(
                        new McpSchema.ProgressNotification(progressToken, done.incrementAndGet(), null, message));
            } catch (RuntimeException e) {
                // a client that went away does not stop the work it asked for
                log.debug("progress notification not delivered: {}", e.toString());
            }
        }
        send(LoggingLevel.INFO, message);
    }

    public void warning(String message) {
        send(LoggingLevel.WARNING, message);
    }

    public void error(String message) {
        send(LoggingLevel.ERROR, message);
    }

    private void send(LoggingLevel level, String message) {
        try {
            exchange.loggingNotification(McpSchema.LoggingMessageNotification.builder()
                    .level(level).logger(LOGGER).data(Secrets.mask(prefix + message)).build());
        } catch (RuntimeException e) {
            log.debug("log notification not delivered: {}", e.toString());
        }
    }
}
