package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the model with Baton's retry policy: a 429 or a 5xx is retried up to
 * {@link ModelSettings#maxRetries()} times with a doubling wait; anything else fails at once. A
 * failure is a {@link ErrorCode#MODEL_UNAVAILABLE} exception whose message is the sentence the
 * turn ends with.
 */
public final class ModelCaller {

    private static final Logger log = LoggerFactory.getLogger(ModelCaller.class);

    /** Sleeps between attempts; tests pass one that does not wait. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final ChatModel model;
    private final ModelSettings settings;
    private final Sleeper sleeper;

    public ModelCaller(ChatModel model, ModelSettings settings, Sleeper sleeper) {
        this.model = model;
        this.settings = settings;
        this.sleeper = sleeper;
    }

    /** The LangChain4j model for an OpenAI-compatible endpoint; retries are left to {@link ModelCaller}. */
    public static ChatModel openAi(ModelSettings settings) {
        return ModelProviders.chatModel(settings.withProvider(Provider.OPENAI));
    }

    public ChatResponse chat(ChatRequest request) {
        return chat(request, Cancellation.none());
    }

    /**
     * Calls the model as above; a cancellation abandons the HTTP call or the wait before a retry
     * at once, with {@link TurnCancelled}.
     */
    ChatResponse chat(ChatRequest request, Cancellation cancellation) {
        int attempt = 0;
        while (true) {
            try {
                return Abandonable.call(cancellation, () -> model.chat(request));
            } catch (TurnCancelled e) {
                throw e;
            } catch (RuntimeException e) {
                int status = status(e);
                boolean retriable = e instanceof RateLimitException || e instanceof InternalServerException
                        || status == 429 || status >= 500 && status < 600;
                if (!retriable || attempt >= settings.maxRetries()) {
                    throw new BatonException(ErrorCode.MODEL_UNAVAILABLE, sentence(e, status, attempt + 1), e);
                }
                Duration wait = settings.retryBackoff().multipliedBy(1L << Math.min(attempt, 10));
                log.warn("model call failed with HTTP {}; retry {} of {} in {} ms", status, attempt + 1,
                        settings.maxRetries(), wait.toMillis());
                Abandonable.call(cancellation, () -> {
                    sleeper.sleep(wait);
                    return null;
                });
                attempt++;
            }
        }
    }

    private String sentence(RuntimeException e, int status, int attempts) {
        String detail = detail(e);
        String why = Failures.sentence(e, settings.timeout());
        if (e instanceof dev.langchain4j.exception.TimeoutException || status == 408 || why.startsWith("no answer")) {
            return "The model did not answer within " + Failures.seconds(settings.timeout())
                    + " (BATON_MODEL_TIMEOUT); the turn was stopped.";
        }
        if (e instanceof AuthenticationException) {
            return "The model endpoint refused the API key (HTTP " + status + "); check BATON_MODEL_API_KEY.";
        }
        if (e instanceof ModelNotFoundException) {
            return "The model endpoint " + settings.baseUrl() + " does not know model '" + settings.modelName()
                    + "' (HTTP 404); check BATON_MODEL_NAME and BATON_MODEL_BASE_URL.";
        }
        if (e instanceof RateLimitException || e instanceof InternalServerException || status >= 500) {
            return "The model endpoint kept failing (HTTP " + status + ") after " + attempts
                    + (attempts == 1 ? " attempt" : " attempts") + "; the turn was stopped.";
        }
        if (e instanceof InvalidRequestException) {
            return "The model endpoint rejected the request (HTTP " + status + "): " + detail;
        }
        if (status < 0 && (why.equals("connection refused") || why.equals("unknown host"))) {
            return "The model endpoint " + settings.baseUrl() + " could not be reached (" + why + ").";
        }
        return "The model call failed: " + detail;
    }

    private static String detail(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h && h.getMessage() != null) {
                return Failures.shorten(h.getMessage());
            }
        }
        return Failures.sentence(e, Duration.ZERO);
    }

    /** The HTTP status behind a failure, or -1 when it was not an HTTP answer. */
    static int status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h) {
                return h.statusCode();
            }
        }
        return -1;
    }
}
