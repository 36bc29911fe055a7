package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.conversation.ToolResultsPolicy;
import baton.fixture.WarehouseServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a new reader's first read of a {@code checked} share costs upstream, against the warehouse
 * fixture over HTTP: the checks start without a tool listing of the reader's own (which upstream
 * offers a tool and whether it is read-only come from the upstreams' shared lists), and the
 * concurrent checks of one reader share one upstream session.
 */
class EntitlementConnectionsTest {

    private static WarehouseServer.Running warehouse;

    private final String project = "connections-" + UUID.randomUUID();

    @BeforeAll
    static void startWarehouse() throws Exception {
        warehouse = WarehouseServer.startHttp(0, AgentHarness.WAREHOUSE_DATA);
    }

    @AfterAll
    static void stopWarehouse() {
        warehouse.close();
    }

    private static ToolGateway gateway() {
        return new ToolGateway(List.of(EntitlementsTest.upstream("warehouse", warehouse.url(), Duration.ofSeconds(10))),
                new JacksonMcpJsonMapper(new ObjectMapper()), "test");
    }

    /** Regression: every new reader's checks waited for a tools/list as that reader before the first call. */
    @Test
    void aNewReadersChecksStartWithoutAToolListingOfTheirOwn() throws Exception {
        try (ToolGateway gateway = gateway()) {
            UpstreamEntitlements checks = new UpstreamEntitlements(gateway, TestDatabase.database(),
                    Duration.ofMinutes(10), Clock.systemUTC());
            Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC(), checks,
                    ToolResultsPolicy.CHECKED);
            Identity alice = new Identity("alice", project, Role.EDITOR);
            UUID id = EntitlementsTest.story(conversations, alice);
            conversations.share(alice, id, null);

            conversations.readAll(new Identity("bob", project, Role.EDITOR), id);
            conversations.readAll(new Identity("carol", project, Role.EDITOR), id);

            assertThat(checks.upstreamCalls()).isEqualTo(4); // two calls each, as each reader
            assertThat(gateway.listings()).as("tool listings").isEqualTo(1);
            assertThat(gateway.connections()).as("upstream sessions: one per reader").isEqualTo(2);
        }
    }

    /** Regression: each of the eight checks of a new reader opened (and all but one closed) a session of its own. */
    @Test
    void concurrentCallsOfANewCallerShareOneUpstreamSession() throws Exception {
        try (ToolGateway gateway = gateway()) {
            UpstreamTool listDatasets = gateway.reachableTools(new Identity("alice", project, Role.EDITOR)).stream()
                    .filter(t -> t.name().equals("list_datasets")).findFirst().orElseThrow();
            long before = gateway.connections();
            Identity bob = new Identity("bob", project, Role.EDITOR);
            ExecutorService pool = Executors.newFixedThreadPool(UpstreamEntitlements.MAX_CONCURRENT);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ToolOutcome>> calls = new ArrayList<>();
                for (int i = 0; i < UpstreamEntitlements.MAX_CONCURRENT; i++) {
                    calls.add(pool.submit(() -> {
                        start.await();
                        return gateway.call(bob, listDatasets, Map.of());
                    }));
                }
                start.countDown();
                for (Future<ToolOutcome> call : calls) {
                    assertThat(call.get().isError()).isFalse();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(gateway.connections() - before).as("sessions opened for bob").isEqualTo(1);
        }
    }
}
