package baton.config;

import java.nio.file.Path;

/**
 * Baton's configuration, read once from flags and environment.
 *
 * @param dbUrl an external PostgreSQL (JDBC URL or libpq URI), or null for the embedded one
 * @param dataDir where the embedded PostgreSQL keeps its files
 */
public record Config(String dbUrl, Path dataDir) {

    /** {@code ${XDG_DATA_HOME:-~/.local/share}/baton}. */
    public static Path defaultDataDir(java.util.Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("baton");
    }

    @Override
    public String toString() {
        return "Config[dbUrl=" + masked(dbUrl) + ", dataDir=" + dataDir + "]";
    }

    /** {@code url} with any password replaced by {@code ****}, for logs and messages. */
    public static String masked(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceAll("(?i)(password=)[^&]*", "$1****").replaceAll("(://[^:/@]+:)[^@]*@", "$1****@");
    }
}
