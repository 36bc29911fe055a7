package baton.cli;

import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.agent.UpstreamServer;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The model and the upstream MCP servers of Baton's own agent ({@code send_message}): each flag,
 * else its environment variable, else the default.
 */
final class AgentOptions {

    private static final Logger log = LoggerFactory.getLogger(AgentOptions.class);

    @Option(names = "--model-provider", paramLabel = "PROVIDER",
            description = "openai (any OpenAI-compatible endpoint), anthropic, gemini or sampling (the connected"
                    + " MCP client's model); default: BATON_MODEL_PROVIDER, else openai.")
    String provider;

    @Option(names = "--model-base-url", paramLabel = "URL",
            description = "API base: for openai ending in /v1; for anthropic and gemini their public API when not"
                    + " set; default: BATON_MODEL_BASE_URL.")
    String baseUrl;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Model name; default: BATON_MODEL_NAME.")
    String modelName;

    @Option(names = "--model-api-key", paramLabel = "KEY",
            description = "API key; default: BATON_MODEL_API_KEY (prefer the variable: flags show in the process list).")
    String apiKey;

    @Option(names = "--model-timeout", paramLabel = "SECONDS",
            description = "Timeout of one model call; default: BATON_MODEL_TIMEOUT, else 60.")
    Integer timeoutSeconds;

    @Option(names = "--model-max-retries", paramLabel = "N",
            description = "Retries of a model call that got 429 or 5xx; default: BATON_MODEL_MAX_RETRIES, else 2.")
    Integer maxRetries;

    @Option(names = "--max-steps", paramLabel = "N",
            description = "Model calls one turn may make; default: BATON_MAX_STEPS, else 8.")
    Integer maxSteps;

    @Option(names = "--turn-timeout", paramLabel = "SECONDS",
            description = "How long one turn may run; default: BATON_TURN_TIMEOUT, else 600.")
    Integer turnTimeoutSeconds;

    @Option(names = "--upstreams", paramLabel = "FILE",
            description = "JSON file of upstream MCP servers whose tools the model may call; default: BATON_UPSTREAMS.")
    Path upstreams;

    AgentSettings settings(Map<String, String> env) {
        Provider p = Provider.parse(Settings.first(provider, env.get("BATON_MODEL_PROVIDER")));
        String url = Settings.first(baseUrl, env.get("BATON_MODEL_BASE_URL"));
        if (url != null) {
            checkUrl(url, p);
        }
        ModelSettings model = new ModelSettings(
                p,
                url,
                Settings.first(apiKey, env.get("BATON_MODEL_API_KEY")),
                Settings.first(modelName, env.get("BATON_MODEL_NAME")),
                Duration.ofSeconds(number("--model-timeout", timeoutSeconds, env, "BATON_MODEL_TIMEOUT",
                        (int) ModelSettings.DEFAULT_TIMEOUT.toSeconds(), 1)),
                number("--model-max-retries", maxRetries, env, "BATON_MODEL_MAX_RETRIES",
                        ModelSettings.DEFAULT_MAX_RETRIES, 0),
                ModelSettings.DEFAULT_RETRY_BACKOFF);
        String file = upstreams != null ? upstreams.toString() : Settings.first(env.get("BATON_UPSTREAMS"));
        List<UpstreamServer> servers = file == null ? List.of() : UpstreamServer.load(Path.of(file));
        return new AgentSettings(model, servers,
                number("--max-steps", maxSteps, env, "BATON_MAX_STEPS", AgentSettings.DEFAULT_MAX_STEPS, 1),
                Duration.ofSeconds(number("--turn-timeout", turnTimeoutSeconds, env, "BATON_TURN_TIMEOUT",
                        (int) AgentSettings.DEFAULT_TURN_TIMEOUT.toSeconds(), 1)));
    }

    private static void checkUrl(String url, Provider provider) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new BatonException(ErrorCode.CONFIGURATION, "The model base URL \"" + url + "\" is not a URL.");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "The model base URL \"" + url + "\" must be an absolute http or https URL.");
        }
        if (provider == Provider.OPENAI && !uri.getPath().replaceAll("/+$", "").endsWith("/v1")) {
            log.warn("the model base URL {} does not end in /v1; OpenAI-compatible endpoints usually do", url);
        }
    }

    private static int number(String flag, Integer value, Map<String, String> env, String variable, int fallback,
            int min) {
        if (value != null) {
            if (value < min) {
                throw new BatonException(ErrorCode.CONFIGURATION, flag + " must be at least " + min + ", not " + value + ".");
            }
            return value;
        }
        String text = Settings.first(env.get(variable));
        if (text == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n < min) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    variable + " must be a whole number of at least " + min + ", not \"" + text + "\".");
        }
    }
}
