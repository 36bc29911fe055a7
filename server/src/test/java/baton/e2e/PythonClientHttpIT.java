package baton.e2e;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Python SDK cases over Streamable HTTP: one {@code baton serve --http}; the runner makes a
 * token per identity with {@code baton token create}.
 */
class PythonClientHttpIT extends PythonClientSuite {

    private BatonLauncher.HttpInstance instance;

    @Override
    protected String transport() {
        return "http";
    }

    @BeforeAll
    void startServer() throws Exception {
        instance = BatonLauncher.http(dataHome, modelEnv(), "py-http");
    }

    @AfterAll
    void stopServer() throws Exception {
        if (instance != null) {
            instance.close();
        }
    }

    @Override
    protected List<String> transportArguments() {
        return List.of("--url", instance.mcpUrl().toString());
    }
}
