package baton.cli;

import baton.config.Config;
import baton.db.Storage;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the database is: {@code --db-url}/{@code BATON_DB_URL}, or the embedded one in {@code --data-dir}. */
final class StorageOptions {

    @Option(names = "--db-url", paramLabel = "URL",
            description = "PostgreSQL to use (jdbc:postgresql://… or postgresql://…); default: BATON_DB_URL, else the embedded PostgreSQL.")
    String dbUrl;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory of the embedded PostgreSQL; default: BATON_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/baton.")
    Path dataDir;

    Config config(Map<String, String> env) {
        String url = dbUrl != null ? dbUrl : Settings.first(env.get("BATON_DB_URL"));
        Path dir = dataDir != null ? dataDir
                : env.get("BATON_DATA_DIR") != null && !env.get("BATON_DATA_DIR").isBlank()
                        ? Path.of(env.get("BATON_DATA_DIR")) : Config.defaultDataDir(env);
        return new Config(url, dir);
    }

    /** Opens the storage these options name, with a pool of {@code poolSize} connections. */
    Storage open(Map<String, String> env, int poolSize) {
        Config config = config(env);
        return Storage.open(config.dbUrl(), config.dataDir(), poolSize);
    }
}
