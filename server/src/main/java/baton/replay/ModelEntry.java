package baton.replay;

import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One model of a replay: a column of the matrix ({@code --models FILE}), or the model configured as
 * for {@code serve} when there is no matrix.
 *
 * @param name the column's name in reports
 * @param provider how to talk to it, resolved by {@link Providers}
 * @param keyVariable the environment variable holding its API key, or null when it needs none
 */
public record ModelEntry(String name, String provider, String baseUrl, String model, String keyVariable) {

    private static final Set<String> FIELDS = Set.of("name", "provider", "base_url", "model", "key_variable");

    public ModelEntry {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(provider, "provider must not be null");
        Objects.requireNonNull(model, "model must not be null");
    }

    /** The model to run, with the timeouts and retries of {@code base} and its key read from {@code env}. */
    public Replay.Model model(ModelSettings base, Map<String, String> env) {
        return new Replay.Model(name, provider, new ModelSettings(Provider.parse(provider), baseUrl, keyVariable == null ? null : env.get(keyVariable),
                model, base.timeout(), base.maxRetries(), base.retryBackoff()));
    }

    /**
     * Reads a model matrix: a JSON array (or an object with a {@code models} array) of entries with
     * {@code name}, {@code provider} (default {@code openai}), {@code base_url} (optional for {@code anthropic}
     * and {@code gemini}), {@code model} and
     * {@code key_variable}.
     *
     * @throws BatonException {@link ErrorCode#CONFIGURATION} naming the file, the entry and the field
     */
    public static List<ModelEntry> load(Path file, Map<String, String> env) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw invalid(file, "cannot be read as JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode list = root != null && root.isObject() ? root.path("models") : root;
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw invalid(file, "must be a non-empty array of models (or an object with a \"models\" array)");
        }
        List<ModelEntry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode e : list) {
            String at = "models[" + i++ + "]";
            if (!e.isObject()) {
                throw invalid(file, at + " must be an object");
            }
            for (var it = e.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw invalid(file, at + "." + f + " is not a known field (name, provider, base_url, model, key_variable)");
                }
            }
            String name = text(file, at, e, "name", true);
            if (!names.add(name)) {
                throw invalid(file, at + ".name \"" + name + "\" is used twice");
            }
            String provider = text(file, at, e, "provider", false);
            provider = provider == null ? Providers.OPENAI : provider;
            if (!Providers.known(provider)) {
                throw invalid(file, at + ".provider \"" + provider + "\" is not one of " + String.join(", ", Providers.KNOWN)
                        + (Provider.SAMPLING.id().equals(provider) ? " (a replay has no MCP client to sample)" : ""));
            }
            String url = text(file, at, e, "base_url", Provider.parse(provider).defaultBaseUrl() == null);
            URI uri;
            try {
                uri = URI.create(url == null ? Provider.parse(provider).defaultBaseUrl() : url);
            } catch (IllegalArgumentException ex) {
                throw invalid(file, at + ".base_url \"" + url + "\" is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw invalid(file, at + ".base_url \"" + url + "\" must be an absolute http or https URL");
            }
            String key = text(file, at, e, "key_variable", false);
            if (key != null && (env.get(key) == null || env.get(key).isBlank())) {
                throw invalid(file, at + ".key_variable names " + key + ", which is not set");
            }
            out.add(new ModelEntry(name, provider, url, text(file, at, e, "model", true), key));
        }
        return List.copyOf(out);
    }

    private static String text(Path file, String at, JsonNode e, String field, boolean required) {
        JsonNode v = e.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw invalid(file, at + "." + field + " is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw invalid(file, at + "." + field + " must be a non-empty string");
        }
        return v.asText().strip();
    }

    private static BatonException invalid(Path file, String what) {
        return new BatonException(ErrorCode.CONFIGURATION, "Model matrix " + file + ": " + what + ".");
    }
}
