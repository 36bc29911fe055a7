package baton.e2e;

import baton.auth.Tokens;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Storage;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The agent story over Streamable HTTP: two instances with the model and the warehouse (alice on
 * one, bob on the other), progress notifications streamed back over SSE, and one instance without
 * a model.
 */
class AgentHttpEndToEndIT extends AgentEndToEndSuite {

    private final List<BatonLauncher.HttpInstance> withModel = new ArrayList<>();
    private BatonLauncher.HttpInstance withoutModel;
    private final AtomicInteger next = new AtomicInteger();
    private final List<McpTestClient> clients = new ArrayList<>();
    private Storage storage;
    private Tokens tokens;

    @BeforeAll
    void startInstances() throws Exception {
        withModel.add(BatonLauncher.http(dataHome, agentEnv, "agent-http-1"));
        withModel.add(BatonLauncher.http(dataHome, agentEnv, "agent-http-2"));
        withoutModel = BatonLauncher.http(dataHome, Map.of(), "agent-http-nomodel");
        storage = Storage.open(null, dataHome.resolve("baton"), 2);
        tokens = new Tokens(storage.database(), Clock.systemUTC());
    }

    @AfterAll
    void stopInstances() throws Exception {
        clients.forEach(McpTestClient::close);
        for (BatonLauncher.HttpInstance instance : withModel) {
            instance.close();
        }
        withoutModel.close();
        storage.close();
    }

    @Override
    protected McpTestClient client(String user, String project, boolean model,
            List<McpSchema.ProgressNotification> progress) {
        String token = tokens.create(new Identity(user, project, Role.EDITOR), "e2e").secret();
        BatonLauncher.HttpInstance instance = model ? withModel.get(next.getAndIncrement() % withModel.size())
                : withoutModel;
        McpTestClient client = McpTestClient.overHttp(instance.mcpUrl(), token, progress::add);
        clients.add(client);
        return client;
    }
}
