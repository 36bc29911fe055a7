package baton.cli;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.Scenario;
import baton.agent.ScenarioRunner;
import baton.agent.ToolGateway;
import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.db.Storage;
import baton.mcp.BatonMcpServer;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton replay}: runs prompt-regression scenarios against the configured model and
 * upstreams, each in a new project, and exits 1 when an expectation fails.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run prompt-regression scenarios against the configured model and upstream MCP servers.")
final class ReplayCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SCENARIO", arity = "0..*",
            description = "Scenario files or directories of them; default: test-fixtures/scenarios.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--project", paramLabel = "PROJECT",
            description = "Project to run in; default: a new one per scenario (replay-<random>).")
    String project;

    @Mixin
    AgentOptions agentOptions = new AgentOptions();

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Mixin
    SharingOptions sharingOptions = new SharingOptions();

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    ReplayCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        List<Scenario> scenarios = scenarios(paths.isEmpty() ? List.of(Path.of("test-fixtures", "scenarios")) : paths);
        AgentSettings settings = agentOptions.settings(env);
        String missing = settings.model().missingSetting();
        if (missing != null) {
            throw new BatonException(ErrorCode.CONFIGURATION, "replay needs a model, but " + missing + " is not set.");
        }
        PrintWriter out = spec.commandLine().getOut();
        int failures = 0;
        try (Storage db = storage.open(env, 2);
                ToolGateway gateway = new ToolGateway(settings.upstreams(), new JacksonMcpJsonMapper(new ObjectMapper()),
                        BatonMcpServer.version())) {
            Conversations conversations = sharingOptions.conversations(db.database(), gateway, env);
            PromptLibrary prompts = new PromptLibrary();
            ScenarioRunner runner = new ScenarioRunner(conversations, prompts,
                    Agent.create(conversations, prompts, settings, gateway), out);
            for (Scenario scenario : scenarios) {
                String p = project != null ? project : "replay-" + UUID.randomUUID().toString().substring(0, 8);
                failures += runner.run(scenario, p);
            }
        }
        out.println(failures == 0 ? "all expectations met (" + scenarios.size() + " scenario(s))"
                : failures + " expectation(s) failed");
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private static List<Scenario> scenarios(List<Path> paths) {
        List<Scenario> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    files.filter(f -> f.toString().endsWith(".json")).sorted().forEach(f -> out.add(Scenario.load(f)));
                } catch (IOException e) {
                    throw new BatonException(ErrorCode.INVALID_ARGUMENT, "Cannot list scenarios in " + p + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(p)) {
                out.add(Scenario.load(p));
            } else {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, "No scenario file or directory at " + p + ".");
            }
        }
        if (out.isEmpty()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "No scenarios (*.json) found in " + paths + ".");
        }
        return out;
    }
}
