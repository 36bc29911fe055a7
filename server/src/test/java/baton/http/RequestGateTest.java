package baton.http;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.auth.Tokens;
import baton.conversation.Identity;
import baton.conversation.Role;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate in front of a stand-in transport whose behaviour each test fixes, for the orderings the
 * real transport makes too rare to catch: what the gate knows while the answer is on its way, and
 * what becomes of an error answer written as a serialized exception.
 */
class RequestGateTest {

    private final Tokens tokens = new Tokens(TestDatabase.database(), Clock.systemUTC());
    private final String project = "gate-" + UUID.randomUUID();
    private final String token = tokens.create(new Identity("alice", project, Role.EDITOR), "test").secret();
    private final SessionOwners owners = new SessionOwners(16);
    private final AtomicReference<Transport> transport = new AtomicReference<>();
    private Server jetty;
    private URI mcp;

    private interface Transport {
        void post(HttpServletRequest request, HttpServletResponse response) throws IOException;
    }

    @BeforeEach
    void start() throws Exception {
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder servlet = new ServletHolder(new HttpServlet() {
            @Override
            protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
                transport.get().post(request, response);
            }
        });
        servlet.setAsyncSupported(true); // as the SDK transport's: answers stream over SSE
        context.addServlet(servlet, "/mcp");
        FilterHolder gate = new FilterHolder(new RequestGate(new OriginPolicy(HttpSettings.loopback(0)), tokens,
                4096, owners));
        gate.setAsyncSupported(true);
        context.addFilter(gate, "/mcp", EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
        jetty.start();
        mcp = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/mcp");
    }

    @AfterEach
    void stop() throws Exception {
        jetty.stop();
    }

    private HttpResponse<String> post() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(mcp)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNewSessionHasItsOwnerBeforeTheAnswerNamingItLeaves() throws Exception {
        AtomicReference<Boolean> knownWhenSent = new AtomicReference<>();
        transport.set((request, response) -> {
            response.setHeader("Mcp-Session-Id", "s-1");
            response.setContentType("application/json");
            response.getWriter().write("{}");
            response.flushBuffer(); // the client has the id now, and may use it on another connection
            knownWhenSent.set(owners.isOwner("s-1", "alice\n" + project));
        });
        assertThat(post().statusCode()).isEqualTo(200);
        assertThat(knownWhenSent.get()).isTrue();
    }

    @Test
    void aSerializedExceptionFromTheTransportBecomesOneSentence() throws Exception {
        transport.set((request, response) -> {
            response.setContentType("application/json");
            response.setStatus(500);
            response.getWriter().write("{\"message\":\"boom\",\"stackTrace\":[{\"className\":\"x.Y\"}]}");
            response.getWriter().flush();
        });
        HttpResponse<String> answer = post();
        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.body()).doesNotContain("stackTrace", "x.Y", "boom");
        assertThat(new ObjectMapper().readTree(answer.body()).path("error").path("message").asText())
                .isEqualTo("The server could not handle this request (HTTP 500); its log has the details.");
    }

    /** Regression: a request whose handler failed before it could answer got an empty 200. */
    @Test
    void aRequestTheTransportAnswersWithNothingGetsAnInternalErrorWithItsId() throws Exception {
        transport.set((request, response) -> {
            // what the SDK transport does when a handler throws before it answers
            response.setContentType("text/event-stream");
            response.getWriter();
            request.startAsync().complete();
        });
        HttpResponse<String> answer = post();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        var body = new ObjectMapper().readTree(answer.body());
        assertThat(body.path("id").asInt()).isEqualTo(1);
        assertThat(body.path("error").path("code").asInt()).isEqualTo(-32603);
        assertThat(body.path("error").path("message").asText())
                .isEqualTo("The server could not answer ping; its log has the details.");
    }

    @Test
    void aContainerErrorPageBecomesOneSentenceToo() throws Exception {
        transport.set((request, response) -> response.sendError(405));
        HttpResponse<String> answer = post();
        assertThat(answer.statusCode()).isEqualTo(405);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(new ObjectMapper().readTree(answer.body()).path("error").path("message").asText())
                .isEqualTo("This endpoint does not answer POST.");
    }
}
