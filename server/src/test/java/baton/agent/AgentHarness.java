package baton.agent;

import baton.TestDatabase;
import baton.conversation.Conversations;
import baton.conversation.ToolResultsPolicy;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.fixture.WarehouseServer;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The real parts of an agent turn for tests: the agent on the test database, WireMock as the
 * model's HTTP API and the warehouse fixture as the upstream MCP server (Streamable HTTP, the
 * caller in the X-Baton-User header).
 */
final class AgentHarness implements AutoCloseable {

    static final Path FIXTURES = Path.of("..", "test-fixtures");
    static final Path WAREHOUSE_DATA = FIXTURES.resolve("upstream").resolve("warehouse.json");
    static final String MODEL = "baton-demo";

    final WireMockServer model;
    final WarehouseServer.Running warehouse;
    /** The conversations, their entitlement checks made on the warehouse (as {@code cli} wires them). */
    final Conversations conversations;
    final PromptLibrary prompts = new PromptLibrary();
    final String project = "agent-" + UUID.randomUUID();
    private final ObjectMapper json = new ObjectMapper();
    private final List<ToolGateway> gateways = new ArrayList<>();

    /** @param recorded load the recorded exchanges of test-fixtures/wiremock, else start empty */
    AgentHarness(boolean recorded) {
        this(recorded ? FIXTURES.resolve("wiremock") : FIXTURES.resolve("wiremock").resolve("none"));
    }

    /** @param mappings the WireMock root whose mappings/ answer as the model */
    AgentHarness(Path mappings) {
        WireMockConfiguration options = WireMockConfiguration.options().dynamicPort();
        options.usingFilesUnderDirectory(mappings.toString());
        model = new WireMockServer(options);
        model.start();
        try {
            warehouse = WarehouseServer.startHttp(0, WAREHOUSE_DATA);
        } catch (IOException e) {
            model.stop();
            throw new UncheckedIOException(e);
        }
        ToolGateway checks = new ToolGateway(List.of(warehouseUpstream()), new JacksonMcpJsonMapper(json), "test");
        gateways.add(checks);
        conversations = new Conversations(TestDatabase.database(), Clock.systemUTC(),
                new UpstreamEntitlements(checks, TestDatabase.database(), UpstreamEntitlements.DEFAULT_TTL,
                        Clock.systemUTC()), ToolResultsPolicy.CHECKED);
    }

    String modelBaseUrl() {
        return model.baseUrl() + "/v1";
    }

    UpstreamServer warehouseUpstream() {
        return new UpstreamServer("warehouse", URI.create(warehouse.url()), null, Map.of(), null, Map.of(),
                Duration.ofSeconds(10));
    }

    ModelSettings modelSettings(Duration timeout, int maxRetries) {
        return new ModelSettings(modelBaseUrl(), "test-key", MODEL, timeout, maxRetries, Duration.ofMillis(1));
    }

    Agent agent() {
        return agent(new AgentSettings(modelSettings(Duration.ofSeconds(10), 2), List.of(warehouseUpstream()),
                AgentSettings.DEFAULT_MAX_STEPS, AgentSettings.DEFAULT_TURN_TIMEOUT));
    }

    Agent agent(AgentSettings settings) {
        ToolGateway gateway = new ToolGateway(settings.upstreams(), new JacksonMcpJsonMapper(json), "test");
        gateways.add(gateway);
        ModelCaller.Sleeper noWait = d -> { };
        return new Agent(conversations, prompts, settings,
                settings.model().missingSetting() == null ? ModelProviders.chatModel(settings.model()) : null, noWait,
                gateway, Clock.systemUTC());
    }

    Identity user(String name) {
        return new Identity(name, project, Role.EDITOR);
    }

    /** The bodies of the requests the model got, oldest first. */
    List<JsonNode> modelRequests() {
        List<ServeEvent> events = new ArrayList<>(model.getAllServeEvents());
        java.util.Collections.reverse(events);
        List<JsonNode> bodies = new ArrayList<>();
        for (ServeEvent e : events) {
            try {
                bodies.add(json.readTree(e.getRequest().getBodyAsString()));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return bodies;
    }

    /** An upstreams file for the warehouse, for commands that read one. */
    Path upstreamsFile(Path dir) throws IOException {
        Path file = dir.resolve("upstreams.json");
        Files.writeString(file, "{\"upstreams\": [{\"name\": \"warehouse\", \"url\": \"" + warehouse.url() + "\"}]}");
        return file;
    }

    @Override
    public void close() {
        gateways.forEach(ToolGateway::close);
        warehouse.close();
        model.stop();
    }
}
