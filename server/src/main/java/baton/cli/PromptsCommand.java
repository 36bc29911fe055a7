package baton.cli;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.db.Storage;
import baton.prompts.PromptLibrary;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code baton prompts}: the prompt texts Baton renders, for review and regression tests. */
@Command(name = "prompts", mixinStandardHelpOptions = true, description = "Show the prompts Baton renders.",
        subcommands = {PromptsCommand.Render.class})
final class PromptsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usage(spec);
    }

    /**
     * {@code baton prompts render --conversation ID}: prints the exact system prompt the conversation
     * gets, as the caller may see it (the same text as the {@code system_prompt} MCP prompt and what
     * {@code send_message} sends the model). Without {@code --conversation}, the fork instructions.
     */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Print the exact system prompt of a conversation (or, without --conversation, the fork instructions).")
    static final class Render implements Callable<Integer> {

        @Option(names = "--conversation", paramLabel = "ID", description = "Conversation id (UUID).")
        String conversation;

        @Mixin
        IdentityOptions identity = new IdentityOptions();

        @Mixin
        StorageOptions storage = new StorageOptions();

        @Spec
        CommandSpec spec;

        private final Map<String, String> env;

        Render(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            PromptLibrary prompts = new PromptLibrary();
            PrintWriter out = spec.commandLine().getOut();
            if (conversation == null) {
                out.print(prompts.forkInstructions());
                out.flush();
                return 0;
            }
            UUID id;
            try {
                id = UUID.fromString(conversation);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(),
                        "--conversation must be a conversation id (UUID), not '" + conversation + "'.");
            }
            Identity caller = identity.identity(env);
            try (Storage db = storage.open(env, 2)) {
                Conversation c = new Conversations(db.database(), Clock.systemUTC()).metadata(caller, id).conversation();
                out.print(prompts.systemPrompt(c));
                out.flush();
            }
            return 0;
        }
    }
}
