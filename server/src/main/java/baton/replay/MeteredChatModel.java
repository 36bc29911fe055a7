package baton.replay;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A chat model that counts what goes through it: requests, and tokens when the provider reports
 * them. Replay reads the counters before and after each step.
 */
final class MeteredChatModel implements ChatModel {

    /** The counters at one moment; tokens are null while no answer reported them. */
    record Usage(long requests, Long inputTokens, Long outputTokens, Long totalTokens) {

        Usage minus(Usage before) {
            return new Usage(requests - before.requests, diff(inputTokens, before.inputTokens),
                    diff(outputTokens, before.outputTokens), diff(totalTokens, before.totalTokens));
        }

        private static Long diff(Long now, Long then) {
            return now == null ? null : now - (then == null ? 0 : then);
        }
    }

    private final ChatModel model;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong input = new AtomicLong();
    private final AtomicLong output = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private volatile boolean reported;

    MeteredChatModel(ChatModel model) {
        this.model = model;
    }

    Usage usage() {
        return reported ? new Usage(requests.get(), input.get(), output.get(), total.get())
                : new Usage(requests.get(), null, null, null);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.incrementAndGet();
        ChatResponse response = model.chat(request);
        TokenUsage usage = response.tokenUsage();
        if (usage != null) {
            reported = true;
            input.addAndGet(usage.inputTokenCount() == null ? 0 : usage.inputTokenCount());
            output.addAndGet(usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
            total.addAndGet(usage.totalTokenCount() == null ? 0 : usage.totalTokenCount());
        }
        return response;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return model.defaultRequestParameters();
    }

    @Override
    public ModelProvider provider() {
        return model.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return model.supportedCapabilities();
    }
}
