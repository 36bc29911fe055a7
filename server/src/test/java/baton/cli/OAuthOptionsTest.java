package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.auth.OAuthSettings;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OAuthOptionsTest {

    private static OAuthOptions flags(String... args) {
        return CommandLine.populateCommand(new OAuthOptions(), args);
    }

    @Test
    void withoutAnIssuerOAuthIsOffAndItsOtherOptionsAreRefused() {
        assertThat(flags().settings(Map.of())).isNull();
        assertThatThrownBy(() -> flags("--oauth-project", "p").settings(Map.of()))
                .isInstanceOfSatisfying(BatonException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION))
                .hasMessage("--oauth-* options need --oauth-issuer (or BATON_OAUTH_ISSUER).");
    }

    @Test
    void flagsWinOverTheEnvironmentAndDefaultsAreSubAndBatonProject() {
        Map<String, String> env = Map.of("BATON_OAUTH_ISSUER", "https://login.example.com/realms/acme",
                "BATON_PUBLIC_URL", "https://baton.example.com", "BATON_OAUTH_ROLE_CLAIM", "baton_role");
        OAuthSettings fromEnv = flags().settings(env);
        assertThat(fromEnv.issuer()).hasToString("https://login.example.com/realms/acme");
        assertThat(fromEnv.userClaim()).isEqualTo("sub");
        assertThat(fromEnv.projectClaim()).isEqualTo("baton_project");
        assertThat(fromEnv.roleClaim()).isEqualTo("baton_role");
        assertThat(fromEnv.resource(null)).hasToString("https://baton.example.com/mcp");

        OAuthSettings fromFlags = flags("--oauth-issuer", "https://other.example.com", "--oauth-user-claim", "email",
                "--oauth-project", "acme").settings(env);
        assertThat(fromFlags.issuer()).hasToString("https://other.example.com");
        assertThat(fromFlags.userClaim()).isEqualTo("email");
        assertThat(fromFlags.fixedProject()).isEqualTo("acme");
    }

    @Test
    void aBadIssuerIsOneSentence() {
        assertThatThrownBy(() -> flags("--oauth-issuer", "ftp://x").settings(Map.of()))
                .hasMessage("--oauth-issuer must be an http(s) URL without query or fragment, not 'ftp://x'.");
    }

    @Test
    void serveRefusesOAuthOverStdioAndAnIssuerItCannotReach() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String[] results = new String[2];
        int[] status = new int[2];
        String[][] commands = {
                {"serve", "--stdio", "--oauth-issuer", "http://127.0.0.1:" + closedPort},
                {"serve", "--http", "--port", "0", "--oauth-issuer", "http://127.0.0.1:" + closedPort + "/realm"}};
        for (int i = 0; i < 2; i++) {
            PrintStream err = System.err;
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            try {
                status[i] = Main.run(Map.of("BATON_DB_URL", TestDatabase.jdbcUrl()), commands[i]);
            } finally {
                System.setErr(err);
            }
            results[i] = e.toString(StandardCharsets.UTF_8);
        }
        assertThat(status).containsExactly(2, 2);
        assertThat(results[0]).contains("--oauth-* options apply to --http only.");
        assertThat(results[1]).contains("Baton could not read the metadata of the OAuth issuer http://127.0.0.1:"
                + closedPort + "/realm (tried http://127.0.0.1:" + closedPort
                + "/.well-known/oauth-authorization-server/realm, ").doesNotContain("Exception");
    }

    @Test
    void theWebClientComesFromFlagsThenTheEnvironmentAndNeedsAnIssuerAndAPublicUrl() {
        Map<String, String> env = Map.of("BATON_WEB_CLIENT_ID", "from-env", "BATON_WEB_CLIENT_SECRET", "s3cret");
        WebOptions none = CommandLine.populateCommand(new WebOptions());
        assertThat(none.clientId(Map.of())).isEmpty();
        assertThat(none.clientSecret(Map.of())).as("a public client").isNull();
        assertThat(none.clientId(env)).contains("from-env");
        assertThat(none.clientSecret(env)).isEqualTo("s3cret");
        WebOptions flagged = CommandLine.populateCommand(new WebOptions(), "--web-client-id", "from-flag");
        assertThat(flagged.clientId(env)).contains("from-flag");

        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.run(Map.of("BATON_DB_URL", TestDatabase.jdbcUrl()), "serve", "--http", "--port", "0",
                    "--public-url", "http://127.0.0.1:8080", "--web-client-id", "baton-web");
        } finally {
            System.setErr(err);
        }
        assertThat(status).isEqualTo(2);
        assertThat(e.toString(StandardCharsets.UTF_8))
                .contains("--web-client-id (BATON_WEB_CLIENT_ID) needs --public-url and --oauth-issuer");
    }
}
