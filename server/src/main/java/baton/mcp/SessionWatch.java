package baton.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpServerTransportProviderBase;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * Sits between the SDK's server and its transport provider, for what the SDK 2.1.0 keeps to itself:
 * <ul>
 * <li>the protocol version each session negotiated (the SDK answers {@code initialize} and keeps
 * no record of it), read from the {@code initialize} answer on its way out;</li>
 * <li>a say over each notification the server sends one session ({@code notifyClient}, which the
 * SDK uses for {@code notifications/resources/updated}): a {@link NotificationGate} may drop it;</li>
 * <li>the server's end ({@code closeGracefully}), to stop what was started beside it.</li>
 * </ul>
 * Everything else passes straight through, so the transport behaves as it would alone.
 */
public final class SessionWatch {

    /** Decides what one session is sent unasked: the params to send, or null to send nothing. */
    @FunctionalInterface
    public interface NotificationGate {
        Object admit(String sessionId, String method, Object params);
    }

    private static final int MAX_SESSIONS_REMEMBERED = 100_000;

    private final Map<String, String> versions = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MAX_SESSIONS_REMEMBERED;
                }
            });
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    private volatile NotificationGate gate = (sessionId, method, params) -> params;

    /** The protocol version session {@code sessionId} negotiated, if this server answered its initialize. */
    public Optional<String> protocolVersion(String sessionId) {
        return sessionId == null ? Optional.empty() : Optional.ofNullable(versions.get(sessionId));
    }

    void gate(NotificationGate gate) {
        this.gate = gate;
    }

    void onClose(Runnable action) {
        onClose.add(action);
    }

    private void negotiated(String sessionId, McpSchema.InitializeResult result) {
        if (sessionId != null && result != null && result.protocolVersion() != null) {
            versions.put(sessionId, result.protocolVersion());
        }
    }

    private Mono<Void> notifyOne(McpServerTransportProviderBase provider, String sessionId, String method,
            Object params) {
        Object admitted = gate.admit(sessionId, method, params);
        return admitted == null ? Mono.empty() : provider.notifyClient(sessionId, method, admitted);
    }

    private Mono<Void> closing(Mono<Void> providerClosed) {
        return Mono.fromRunnable(() -> onClose.forEach(Runnable::run)).then(providerClosed);
    }

    /** A Streamable HTTP provider seen through this watch. */
    McpStreamableServerTransportProvider watch(McpStreamableServerTransportProvider provider) {
        return new McpStreamableServerTransportProvider() {
            @Override
            public void setSessionFactory(McpStreamableServerSession.Factory factory) {
                provider.setSessionFactory(request -> {
                    var init = factory.startSession(request);
                    String id = init.session().getId();
                    return new McpStreamableServerSession.McpStreamableServerSessionInit(init.session(),
                            init.initResult().doOnNext(result -> negotiated(id, result)));
                });
            }

            @Override
            public Mono<Void> notifyClients(String method, Object params) {
                return provider.notifyClients(method, params);
            }

            @Override
            public Mono<Void> notifyClient(String sessionId, String method, Object params) {
                return notifyOne(provider, sessionId, method, params);
            }

            @Override
            public Mono<Void> closeGracefully() {
                return closing(provider.closeGracefully());
            }

            @Override
            public List<String> protocolVersions() {
                return provider.protocolVersions();
            }
        };
    }

    /** A single-session provider (stdio) seen through this watch. */
    McpServerTransportProvider watch(McpServerTransportProvider provider) {
        return new McpServerTransportProvider() {
            @Override
            public void setSessionFactory(McpServerSession.Factory factory) {
                provider.setSessionFactory(transport -> {
                    String[] id = new String[1];
                    McpServerSession session = factory.create(new McpServerTransport() {
                        @Override
                        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
                            if (message instanceof McpSchema.JSONRPCResponse response
                                    && response.result() instanceof McpSchema.InitializeResult result) {
                                negotiated(id[0], result);
                            }
                            return transport.sendMessage(message);
                        }

                        @Override
                        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
                            return transport.unmarshalFrom(data, typeRef);
                        }

                        @Override
                        public Mono<Void> closeGracefully() {
                            return transport.closeGracefully();
                        }

                        @Override
                        public void close() {
                            transport.close();
                        }

                        @Override
                        public List<String> protocolVersions() {
                            return transport.protocolVersions();
                        }
                    });
                    id[0] = session.getId();
                    return session;
                });
            }

            @Override
            public Mono<Void> notifyClients(String method, Object params) {
                return provider.notifyClients(method, params);
            }

            @Override
            public Mono<Void> notifyClient(String sessionId, String method, Object params) {
                return notifyOne(provider, sessionId, method, params);
            }

            @Override
            public Mono<Void> closeGracefully() {
                return closing(provider.closeGracefully());
            }

            @Override
            public List<String> protocolVersions() {
                return provider.protocolVersions();
            }
        };
    }
}
