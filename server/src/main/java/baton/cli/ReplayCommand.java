package baton.cli;

import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.agent.Scenario;
import baton.agent.ToolGateway;
import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.db.Storage;
import baton.mcp.BatonMcpServer;
import baton.prompts.PromptLibrary;
import baton.replay.JudgeSettings;
import baton.replay.ModelEntry;
import baton.replay.Progress;
import baton.replay.Replay;
import baton.replay.ReplayReport;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton replay}: runs prompt-regression scenarios against the configured model (or a matrix
 * of models) and upstreams, each run in a new project; exits 0 when every expectation meets the
 * minimum pass rate, 1 when one does not, 2 on a bad configuration or scenario file.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run prompt-regression scenarios against the configured model and upstream MCP servers.",
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:every expectation met the minimum pass rate",
                "1:an expectation is below the minimum pass rate",
                "2:a bad configuration or scenario file",
                "3:storage, the model or an upstream is unavailable"})
final class ReplayCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SCENARIO", arity = "0..*",
            description = "Scenario files or directories of them; default: test-fixtures/scenarios.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--project", paramLabel = "PROJECT",
            description = "Project to run in (with -<model> and -<run> appended when there are several);"
                    + " default: a new one per run (replay-<random>).")
    String project;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Run each scenario N times, each in a new project; default: 1.")
    int repeat;

    @Option(names = "--min-pass-rate", paramLabel = "RATE", defaultValue = "1.0",
            description = "Share of runs (0 to 1) each expectation must pass for exit status 0; default: 1.0.")
    double minPassRate;

    @Option(names = "--junit", paramLabel = "FILE", description = "Write a JUnit XML report.")
    Path junit;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Write a JSON report of every run and step (model requests, tokens, timings).")
    Path json;

    @Option(names = "--models", paramLabel = "FILE",
            description = "Run against each model of this JSON file (name, provider, base_url, model, key_variable)"
                    + " instead of the configured one.")
    Path models;

    @Option(names = "--record", paramLabel = "DIR",
            description = "Write every model exchange as WireMock mappings under DIR/mappings (DIR/<model>/mappings"
                    + " with --models).")
    Path record;

    @Mixin
    JudgeOptions judgeOptions = new JudgeOptions();

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
        if (repeat < 1) {
            throw new BatonException(ErrorCode.CONFIGURATION, "--repeat must be at least 1, not " + repeat + ".");
        }
        if (!(minPassRate >= 0 && minPassRate <= 1)) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "--min-pass-rate must be between 0 and 1 (0.8 for 80%), not " + minPassRate + ".");
        }
        List<Scenario> scenarios = scenarios(paths.isEmpty() ? List.of(Path.of("test-fixtures", "scenarios")) : paths);
        AgentSettings settings = agentOptions.settings(env);
        List<Replay.Model> targets;
        if (models != null) {
            targets = ModelEntry.load(models, env).stream().map(e -> e.model(settings.model(), env)).toList();
        } else {
            ModelSettings model = settings.model();
            String missing = model.missingSetting();
            if (missing != null) {
                throw new BatonException(ErrorCode.CONFIGURATION, "replay needs a model, but " + missing + " is not set.");
            }
            if (model.provider() == Provider.SAMPLING) {
                throw new BatonException(ErrorCode.CONFIGURATION, "replay cannot use the model provider \"sampling\":"
                        + " it has no connected MCP client to ask; choose openai, anthropic or gemini.");
            }
            targets = List.of(new Replay.Model(model.modelName(), model.provider().id(), model));
        }
        JudgeSettings judge = judgeOptions.settings(env, settings.model());
        for (Scenario scenario : scenarios) {
            if (judge == null && scenario.needsJudge()) {
                throw new BatonException(ErrorCode.CONFIGURATION, "Scenario " + scenario.name()
                        + " has a judged expectation, but no judge model is configured (--judge-model or BATON_JUDGE_MODEL).");
            }
        }
        quietLogs();
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        Progress progress = Progress.on(err, System.console() != null, targets.size() * scenarios.size() * repeat);
        ReplayReport report;
        try (Storage db = storage.open(env, 2);
                ToolGateway gateway = new ToolGateway(settings.upstreams(), new JacksonMcpJsonMapper(new ObjectMapper()),
                        BatonMcpServer.version());
                Conversations conversations = sharingOptions.conversations(db.database(), gateway, env)) {
            report = new Replay(conversations, new PromptLibrary(), settings, gateway, out)
                    .run(scenarios, targets, new Replay.Options(repeat, minPassRate, project, judge, record, junit, json),
                            progress);
        }
        out.flush();
        return report.exitStatus();
    }

    /**
     * The progress on stderr tells where a replay is; the INFO lines of every turn would only run
     * into it. BATON_LOG_LEVEL still decides when it is set.
     */
    private void quietLogs() {
        if (Settings.first(env.get("BATON_LOG_LEVEL")) == null
                && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static List<Scenario> scenarios(List<Path> paths) {
        List<Scenario> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    files.filter(Scenario::isScenarioFile).sorted().forEach(f -> out.add(Scenario.load(f)));
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
