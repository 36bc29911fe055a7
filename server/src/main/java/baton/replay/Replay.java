package baton.replay;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.Scenario;
import baton.agent.ScenarioRunner;
import baton.agent.ToolGateway;
import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.prompts.PromptLibrary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code baton replay}: every scenario, {@code repeat} times, against every model, each run in a
 * project of its own; then the pass rates, the summary table and the reports.
 */
public final class Replay {

    /**
     * @param project the project of every run, or null for a new one per run
     * @param judge the judge model, or null when none is configured
     * @param recordDir where {@code --record} writes WireMock mappings, or null
     */
    /** One model to run against: a column of the table. */
    public record Model(String name, String provider, ModelSettings settings) {
    }

    public record Options(int repeat, double minPassRate, String project, JudgeSettings judge, Path recordDir,
            Path junit, Path json) {
    }

    private final Conversations conversations;
    private final PromptLibrary prompts;
    private final AgentSettings settings;
    private final ToolGateway gateway;
    private final PrintWriter out;

    public Replay(Conversations conversations, PromptLibrary prompts, AgentSettings settings, ToolGateway gateway,
            PrintWriter out) {
        this.conversations = conversations;
        this.prompts = prompts;
        this.settings = settings;
        this.gateway = gateway;
        this.out = out;
    }

    /** Runs everything, prints the lines and the table, writes the reports asked for. */
    public ReplayReport run(List<Scenario> scenarios, List<Model> models, Options options, Progress progress) {
        Instant started = Instant.now();
        long start = System.nanoTime();
        List<RunRecord> runs = new ArrayList<>();
        int total = models.size() * scenarios.size() * options.repeat();
        for (Model entry : models) {
            runModel(entry, models.size() > 1, scenarios, options, progress, runs, total);
        }
        progress.finish();
        ReplayReport report = new ReplayReport(models.stream().map(Model::name).toList(),
                scenarios.stream().map(Scenario::name).toList(), options.repeat(), options.minPassRate(), started,
                Duration.ofNanos(System.nanoTime() - start), runs);
        SummaryTable.print(report, out);
        try {
            if (options.junit() != null) {
                JunitReport.write(report, options.junit());
            }
            if (options.json() != null) {
                JsonReport.write(report, options.json());
            }
        } catch (IOException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, "Cannot write the report: " + e.getMessage() + ".");
        }
        return report;
    }

    private void runModel(Model entry, boolean matrix, List<Scenario> scenarios, Options options,
            Progress progress, List<RunRecord> runs, int total) {
        ModelSettings model = entry.settings();
        Recording recording = options.recordDir() == null ? null : new Recording();
        List<RecordingProxy> proxies = new ArrayList<>();
        try {
            ModelSettings used = recording == null ? model : proxied(model, recording, proxies);
            MeteredChatModel metered = new MeteredChatModel(Providers.chatModel(entry.provider(), used));
            AgentSettings agentSettings = new AgentSettings(used, settings.upstreams(), settings.maxSteps(),
                    settings.turnTimeout());
            Agent agent = new Agent(conversations, prompts, agentSettings, metered, d -> Thread.sleep(d.toMillis()),
                    gateway, Clock.systemUTC());
            ScenarioRunner.Judge judge = null;
            if (options.judge() != null) {
                JudgeSettings js = options.judge();
                if (recording != null) {
                    js = new JudgeSettings(js.provider(), proxied(js.model(), recording, proxies));
                }
                judge = new ModelJudge(Providers.chatModel(js.provider(), js.model()), js, prompts);
            }
            ScenarioRunner runner = new ScenarioRunner(conversations, prompts, agent, judge);
            for (Scenario scenario : scenarios) {
                for (int r = 1; r <= options.repeat(); r++) {
                    String project = project(options, entry, matrix, r);
                    if (recording != null) {
                        recording.project(project);
                    }
                    runs.add(runOnce(runner, metered, entry.name(), matrix, scenario, project, r, options.repeat(),
                            progress));
                    progress.runEnded(runs.size(), total);
                }
            }
            if (recording != null) {
                Path dir = matrix ? options.recordDir().resolve(entry.name().replaceAll("[^A-Za-z0-9._-]", "_"))
                        : options.recordDir();
                try {
                    int n = recording.write(dir);
                    out.println("recorded " + n + " model exchange mapping(s) in " + dir.resolve("mappings"));
                } catch (IOException e) {
                    throw new BatonException(ErrorCode.CONFIGURATION,
                            "Cannot write the recorded mappings in " + dir + ": " + e.getMessage() + ".");
                }
            }
        } finally {
            proxies.forEach(RecordingProxy::close);
        }
    }

    private RunRecord runOnce(ScenarioRunner runner, MeteredChatModel metered, String model, boolean matrix,
            Scenario scenario, String project, int repeat, int repeats, Progress progress) {
        progress.pause();
        out.println("scenario " + scenario.name() + " (project " + project + (matrix ? ", model " + model : "")
                + (repeats > 1 ? ", run " + repeat + " of " + repeats : "") + ")");
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        List<RunRecord.StepRecord> steps = new ArrayList<>();
        ScenarioRunner.Outcome outcome = runner.run(scenario, project, new ScenarioRunner.Listener() {
            private MeteredChatModel.Usage before;

            @Override
            public void stepStarted(Scenario s, int index, Scenario.Step step) {
                progress.step(matrix ? model : null, s.name(), repeat, repeats, index, s.steps().size(),
                        step.label(index));
                before = metered.usage();
            }

            @Override
            public void stepEnded(Scenario s, ScenarioRunner.StepResult result) {
                MeteredChatModel.Usage used = metered.usage().minus(before);
                steps.add(new RunRecord.StepRecord(result, used.requests(), used.inputTokens(), used.outputTokens(),
                        used.totalTokens()));
                progress.pause();
                print(result);
            }
        });
        out.flush();
        return new RunRecord(model, outcome, repeat, startedAt, Duration.ofNanos(System.nanoTime() - start),
                steps);
    }

    /** The lines of one step, as replay always printed them: the reply, then PASS or FAIL per expectation. */
    private void print(ScenarioRunner.StepResult result) {
        String label = "  " + result.label();
        if (result.error() != null) {
            out.println("FAIL" + label + ": " + result.error());
            return;
        }
        if (result.turn() != null) {
            out.println("    reply: " + oneLine(result.turn().reply()));
        }
        for (ScenarioRunner.Check c : result.checks()) {
            out.println((c.passed() ? "PASS" : "FAIL") + label + ": " + c.expectation()
                    + (c.detail().isEmpty() ? "" : " " + c.detail()));
        }
    }

    private static String project(Options options, Model entry, boolean matrix, int repeat) {
        if (options.project() == null) {
            return "replay-" + UUID.randomUUID().toString().substring(0, 8);
        }
        String p = options.project() + (matrix ? "-" + entry.name() : "");
        return options.repeat() > 1 ? p + "-" + repeat : p;
    }

    private static ModelSettings proxied(ModelSettings model, Recording recording, List<RecordingProxy> proxies) {
        try {
            RecordingProxy proxy = new RecordingProxy(model.baseUrl(), recording, model.timeout());
            proxies.add(proxy);
            return new ModelSettings(model.provider(), proxy.baseUrl(), model.apiKey(), model.modelName(), model.timeout(),
                    model.maxRetries(), model.retryBackoff());
        } catch (IOException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, "Cannot start the recording proxy: " + e.getMessage() + ".");
        }
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
