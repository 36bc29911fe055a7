package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.conversation.BatonException;
import org.junit.jupiter.api.Test;

class DataSourcesTest {

    @Test
    void libpqUrisBecomeJdbcUrls() {
        assertThat(DataSources.jdbcUrl("postgresql://u:p@db.local:5433/baton"))
                .isEqualTo("jdbc:postgresql://db.local:5433/baton?user=u&password=p");
        assertThat(DataSources.jdbcUrl("postgres://u@h/baton?sslmode=require"))
                .isEqualTo("jdbc:postgresql://h/baton?sslmode=require&user=u");
        assertThat(DataSources.jdbcUrl("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void otherUrlsAreRefusedWithASentence() {
        assertThatThrownBy(() -> DataSources.jdbcUrl("mysql://h/db")).isInstanceOf(BatonException.class)
                .hasMessage("The database URL must start with jdbc:postgresql:// or postgresql://.");
    }
}
