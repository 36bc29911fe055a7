package baton.cli;

import baton.config.StartupTrace;
import baton.conversation.BatonException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code baton} command. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Baton keeps AI conversations in PostgreSQL and lets their owners share, read and fork them.")
public final class Main implements Callable<Integer> {

    /** The exit status of a command line that names no command or one that does not exist. */
    static final int USAGE = 2;

    /**
     * The subcommands, added in {@link #run(Map, String...)} rather than in the annotation: picocli
     * reads the annotations of every command it is given up front, and a stdio start-up need not
     * pay for the commands it does not run.
     */
    private static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
        commands.put("serve", ServeCommand.class);
        commands.put("token", TokenCommand.class);
        commands.put("db", DbCommand.class);
        commands.put("prompts", PromptsCommand.class);
        commands.put("replay", ReplayCommand.class);
        commands.put("audit", AuditCommand.class);
        commands.put("bench", BenchCommand.class);
        commands.put("cds-train", CdsTrainCommand.class);
        return commands;
    }

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        StartupTrace.mark("JVM started, main entered");
        int status = run(System.getenv(), args);
        System.exit(status);
    }

    /** Runs the command line with the given environment; returns the exit status. */
    public static int run(Map<String, String> env, String... args) {
        ServeCommand stdio = StdioCommandLine.parse(env, args);
        if (stdio != null) {
            try {
                return stdio.call();
            } catch (Exception e) {
                return failed(e);
            }
        }
        return runWithPicocli(env, args);
    }

    /** {@link #run} with picocli reading every command line, {@code serve --stdio} too. */
    static int runWithPicocli(Map<String, String> env, String... args) {
        CommandLine commandLine = new CommandLine(new Main(), new EnvFactory(env));
        if (args.length > 0 && COMMANDS.containsKey(args[0])) {
            commandLine.addSubcommand(args[0], COMMANDS.get(args[0]));
        } else {
            // for the usage, and the error naming an unknown one (a loop, not a method reference: see OneSentence)
            for (Map.Entry<String, Class<?>> command : COMMANDS.entrySet()) {
                commandLine.addSubcommand(command.getKey(), command.getValue());
            }
        }
        commandLine.setExecutionExceptionHandler(new OneSentence());
        return commandLine.execute(args);
    }

    /**
     * A {@link BatonException} ends the command with its one sentence and exit status. A class, not
     * a lambda: the CDS archive leaves out an old class file's classes (picocli's are Java 5's) once a
     * lambda implementing one of its interfaces made the dump link them, and then picocli's largest
     * class is read from the jar and verified at every start.
     */
    private static final class OneSentence implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed)
                throws Exception {
            if (e instanceof BatonException be) {
                cmd.getErr().println("baton: " + be.getMessage());
                return be.code().exitStatus();
            }
            throw e;
        }
    }

    @Override
    public Integer call() {
        return usage(spec);
    }

    /**
     * The exit status of a command run without picocli ({@link StdioCommandLine}) that failed with
     * {@code e}: picocli is handed the failure, so that it is reported and ends Baton exactly as
     * when picocli ran the command (one sentence for a {@link BatonException}).
     */
    static int failed(Exception e) {
        CommandLine commandLine = new CommandLine(new Failed(e));
        commandLine.setExecutionExceptionHandler(new OneSentence());
        return commandLine.execute();
    }

    /** A command that fails as the command run without picocli did. */
    @Command(name = "baton")
    private static final class Failed implements Callable<Integer> {
        private final Exception failure;

        Failed(Exception failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    /** Prints the usage of a command that needs a subcommand to stderr; the status of a bad command line. */
    static int usage(CommandSpec spec) {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
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
