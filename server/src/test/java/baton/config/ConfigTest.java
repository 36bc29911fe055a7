package baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void toStringMasksDatabasePasswords() {
        assertThat(new Config("jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true", Path.of("/d")).toString())
                .doesNotContain("s3cret").contains("password=****", "ssl=true");
        assertThat(new Config("postgresql://u:s3cret@h:5432/db", Path.of("/d")).toString())
                .doesNotContain("s3cret").contains("u:****@h");
    }

    @Test
    void dataDirFollowsXdgDataHome() {
        assertThat(Config.defaultDataDir(Map.of("XDG_DATA_HOME", "/x"))).isEqualTo(Path.of("/x/baton"));
        assertThat(Config.defaultDataDir(Map.of())).isEqualTo(
                Path.of(System.getProperty("user.home"), ".local", "share", "baton"));
    }
}
