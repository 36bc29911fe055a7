package baton.cli;

import baton.config.Config;
import baton.db.EmbeddedPostgresServer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code baton db status|stop}: the embedded PostgreSQL shared by the Baton processes of this machine. */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = "Manage the embedded PostgreSQL that Baton processes on this machine share.",
        subcommands = {DbCommand.Status.class, DbCommand.Stop.class})
final class DbCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Main.usage(spec);
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print whether the embedded PostgreSQL runs, its JDBC URL, port and role (never starts it).")
    static final class Status implements Callable<Integer> {
        @Mixin
        StorageOptions storage = new StorageOptions();
        private final Map<String, String> env;

        Status(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            Config config = storage.config(env);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(config.dataDir());
            Optional<EmbeddedPostgresServer.Login> login = server.runningLogin();
            if (login.isPresent()) {
                System.out.println("running: " + login.get().url() + " (port " + login.get().port() + ", role "
                        + login.get().user() + ", password in " + server.batonPasswordFile() + "; data in "
                        + server.dataDir() + ")");
                return 0;
            }
            System.out.println("not running (data in " + server.dataDir() + ")");
            return 1;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the embedded PostgreSQL. Baton processes still using it lose their database and do not start it again; the next Baton process that starts does.")
    static final class Stop implements Callable<Integer> {
        @Mixin
        StorageOptions storage = new StorageOptions();
        private final Map<String, String> env;

        Stop(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            Config config = storage.config(env);
            new EmbeddedPostgresServer(config.dataDir()).stop();
            System.out.println("stopped (" + config.dataDir() + ")");
            return 0;
        }
    }
}
