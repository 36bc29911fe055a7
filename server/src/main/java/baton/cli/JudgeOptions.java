package baton.cli;

import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.replay.JudgeSettings;
import baton.replay.Providers;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The judge model of {@code judged} expectations: each flag, else its {@code BATON_JUDGE_*}
 * variable. Without a judge model name there is no judge; without a base URL the judge is asked at
 * the agent's model endpoint, with its key.
 */
final class JudgeOptions {

    @Option(names = "--judge-model", paramLabel = "NAME",
            description = "Judge model of judged expectations; default: BATON_JUDGE_MODEL (none: no judge).")
    String model;

    @Option(names = "--judge-base-url", paramLabel = "URL",
            description = "The judge's API base; default: BATON_JUDGE_BASE_URL, else the agent's model base URL.")
    String baseUrl;

    @Option(names = "--judge-provider", paramLabel = "PROVIDER",
            description = "The judge's provider; default: BATON_JUDGE_PROVIDER, else the agent model's provider"
                    + " (openai for sampling).")
    String provider;

    @Option(names = "--judge-key-variable", paramLabel = "VARIABLE",
            description = "Environment variable holding the judge's API key; default: BATON_JUDGE_KEY_VARIABLE,"
                    + " else BATON_JUDGE_API_KEY when set, else the agent model's key when the judge shares its endpoint.")
    String keyVariable;

    /** The judge, or null when no judge model is named. */
    JudgeSettings settings(Map<String, String> env, ModelSettings agentModel) {
        String name = Settings.first(model, env.get("BATON_JUDGE_MODEL"));
        if (name == null) {
            return null;
        }
        String p = Settings.first(provider, env.get("BATON_JUDGE_PROVIDER"));
        if (p == null) {
            p = agentModel.provider() == Provider.SAMPLING ? Providers.OPENAI : agentModel.provider().id();
        }
        String url = Settings.first(baseUrl, env.get("BATON_JUDGE_BASE_URL"));
        boolean shared = url == null && agentModel.provider().id().equals(p);
        if (url == null) {
            url = shared ? agentModel.baseUrl() : Providers.defaultBaseUrl(p);
        }
        if (url == null) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "The judge model needs a base URL: set --judge-base-url or BATON_JUDGE_BASE_URL.");
        }
        String variable = Settings.first(keyVariable, env.get("BATON_JUDGE_KEY_VARIABLE"));
        String key;
        if (variable != null) {
            key = Settings.first(env.get(variable));
            if (key == null) {
                throw new BatonException(ErrorCode.CONFIGURATION,
                        "The judge's key variable " + variable + " is not set.");
            }
        } else {
            key = Settings.first(env.get("BATON_JUDGE_API_KEY"));
            if (key == null && shared) {
                key = agentModel.apiKey();
            }
        }
        // Resolving the provider here makes a wrong name an exit 2 before anything runs.
        Providers.chatModel(p, new ModelSettings(url, key, name, agentModel.timeout(), 0, agentModel.retryBackoff()));
        return new JudgeSettings(p, new ModelSettings(Provider.parse(p), url, key, name, agentModel.timeout(), agentModel.maxRetries(),
                agentModel.retryBackoff()));
    }
}
