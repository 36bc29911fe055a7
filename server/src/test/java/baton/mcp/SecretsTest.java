package baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void secretsInALogLineAreMaskedAndTheRestIsKept() {
        assertThat(Secrets.mask("The model answered 401: Incorrect API key provided: sk-proj-abcdef123456."))
                .isEqualTo("The model answered 401: Incorrect API key provided: sk-***.");
        assertThat(Secrets.mask("Authorization: Bearer baton_AbCdEf0123456789xyz"))
                .isEqualTo("Authorization: Bearer ***");
        assertThat(Secrets.mask("token baton_AbCdEf0123456789xyz was revoked")).isEqualTo("token baton_*** was revoked");
        assertThat(Secrets.mask("cannot reach postgresql://baton:s3cr3t@db.internal:5432/baton"))
                .isEqualTo("cannot reach postgresql://baton:***@db.internal:5432/baton");
        assertThat(Secrets.mask("jdbc:postgresql://h/db?user=u&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(Secrets.mask("{\"api_key\": \"abc123\", \"rows\": 3}")).isEqualTo("{\"api_key\": \"***\", \"rows\": 3}");
        assertThat(Secrets.mask("Calling query on warehouse")).isEqualTo("Calling query on warehouse");
        assertThat(Secrets.mask(null)).isNull();
    }
}
