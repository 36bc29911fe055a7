package baton.cli;

import baton.config.StartupTrace;
import baton.conversation.BatonException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Baton keeps AI conversations in PostgreSQL and lets their owners share, read and fork them.",
        subcommands = {ServeCommand.class, TokenCommand.class, DbCommand.class, PromptsCommand.class, ReplayCommand.class,
                BenchCommand.class, CdsTrainCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        StartupTrace.mark("JVM started, main entered");
        int status = run(System.getenv(), args);
        System.exit(status);
    }

    /** Runs the command line with the given environment; returns the exit status. */
    public static int run(Map<String, String> env, String... args) {
        CommandLine commandLine = new CommandLine(new Main(), new EnvFactory(env));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BatonException be) {
                cmd.getErr().println("baton: " + be.getMessage());
                return be.code().exitStatus();
            }
            throw e;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    /** Gives commands that take a {@code Map} in their constructor the environment Baton was started with. */
    private record EnvFactory(Map<String, String> env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var constructor = cls.getDeclaredConstructor(Map.class);
                constructor.setAccessible(true);
                return cls.cast(constructor.newInstance(env));
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
