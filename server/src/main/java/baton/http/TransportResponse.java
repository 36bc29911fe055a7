package baton.http;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The response the MCP transport writes to, as {@link RequestGate} hands it over. It does two
 * things the transport cannot be told to do:
 * <ul>
 *   <li>It reports a new session the moment the transport names it in the {@code Mcp-Session-Id}
 *       header, before the initialize answer reaches the client — which may use the session at
 *       once, on another connection.</li>
 *   <li>It holds back every error answer (status 400 or more, or {@code sendError}): the
 *       transport writes those as a serialized Java exception, stack trace included, or lets the
 *       container write an HTML page. The gate answers them with one sentence instead.</li>
 * </ul>
 * Answers below 400 (the JSON answers and the SSE streams) pass through untouched.
 */
final class TransportResponse extends HttpServletResponseWrapper {

    private final Consumer<String> sessionNamed;
    private final UnaryOperator<PrintWriter> eventStream;
    private PrintWriter eventWriter;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private int heldStatus;
    private String heldMessage;
    private ServletOutputStream heldStream;
    private PrintWriter heldWriter;

    /** {@code sessionNamed} hears the id of a session this answer opens; null when none may open. */
    TransportResponse(HttpServletResponse response, Consumer<String> sessionNamed) {
        this(response, sessionNamed, null);
    }

    /**
     * As above; {@code eventStream}, when not null, gives the writer an SSE answer is written
     * through in place of the response's own (see {@link ResumableStreams#open}).
     */
    TransportResponse(HttpServletResponse response, Consumer<String> sessionNamed,
            UnaryOperator<PrintWriter> eventStream) {
        super(response);
        this.sessionNamed = sessionNamed;
        this.eventStream = eventStream;
    }

    /** Whether the transport answered with an error, which has not reached the client. */
    boolean heldError() {
        return heldStatus != 0;
    }

    /** The status of the held error. */
    int heldStatus() {
        return heldStatus;
    }

    /** What the transport said about the held error: its message, or the text it wrote; never null. */
    String heldText() {
        if (heldWriter != null) {
            heldWriter.flush();
        }
        String written = held.toString(StandardCharsets.UTF_8);
        return heldMessage != null ? heldMessage : written;
    }

    @Override
    public void setHeader(String name, String value) {
        noticeSession(name, value);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        noticeSession(name, value);
        super.addHeader(name, value);
    }

    private void noticeSession(String name, String value) {
        if (sessionNamed != null && RequestGate.SESSION_HEADER.equalsIgnoreCase(name) && value != null) {
            sessionNamed.accept(value);
        }
    }

    @Override
    public void setStatus(int status) {
        if (status >= 400) {
            hold(status, null);
        } else if (!heldError()) {
            super.setStatus(status);
        }
    }

    @Override
    public void sendError(int status) {
        hold(status, null);
    }

    @Override
    public void sendError(int status, String message) {
        hold(status, message);
    }

    private void hold(int status, String message) {
        heldStatus = status;
        if (message != null) {
            heldMessage = message;
        }
    }

    @Override
    public int getStatus() {
        return heldError() ? heldStatus : super.getStatus();
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (!heldError()) {
            return super.getOutputStream();
        }
        if (heldStream == null) {
            heldStream = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    held.write(b);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    held.write(bytes, offset, length);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new IllegalStateException("a held error answer is written synchronously");
                }
            };
        }
        return heldStream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (!heldError()) {
            String type = getContentType();
            if (eventStream == null || type == null || !type.startsWith("text/event-stream")) {
                return super.getWriter();
            }
            if (eventWriter == null) {
                eventWriter = eventStream.apply(super.getWriter());
            }
            return eventWriter;
        }
        if (heldWriter == null) {
            heldWriter = new PrintWriter(new OutputStreamWriter(held, StandardCharsets.UTF_8));
        }
        return heldWriter;
    }

    @Override
    public void setContentLength(int length) {
        if (!heldError()) {
            super.setContentLength(length);
        }
    }

    @Override
    public void setContentLengthLong(long length) {
        if (!heldError()) {
            super.setContentLengthLong(length);
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        if (!heldError()) {
            super.flushBuffer();
        }
    }

    @Override
    public boolean isCommitted() {
        return !heldError() && super.isCommitted();
    }
}
