package baton.agent;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The model, built at the first turn rather than at start-up: building LangChain4j's OpenAI client
 * loads its HTTP client and TLS (some 700 classes), which a session that never calls
 * {@code send_message} does not need. Every call goes to the model once built.
 */
final class LazyChatModel implements ChatModel {

    private final Supplier<ChatModel> factory;
    private volatile ChatModel model;

    LazyChatModel(Supplier<ChatModel> factory) {
        this.factory = factory;
    }

    private ChatModel model() {
        ChatModel built = model;
        if (built == null) {
            synchronized (this) {
                built = model;
                if (built == null) {
                    built = factory.get();
                    model = built;
                }
            }
        }
        return built;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return model().chat(request);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        return model().chat(request, options);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return model().doChat(request);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return model().defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return model().listeners();
    }

    @Override
    public ModelProvider provider() {
        return model().provider();
    }

    @Override
    public String chat(String userMessage) {
        return model().chat(userMessage);
    }

    @Override
    public ChatResponse chat(ChatMessage... messages) {
        return model().chat(messages);
    }

    @Override
    public ChatResponse chat(List<ChatMessage> messages) {
        return model().chat(messages);
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return model().supportedCapabilities();
    }
}
