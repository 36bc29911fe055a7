package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.auth.OAuthResourceServer;
import baton.auth.Tokens;
import baton.web.PublicUrl;
import baton.web.SignInFlow;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve} offers sign-in at the issuer exactly when the web client is configured. */
class ServeSignInFlowsTest {

    @Test
    void theOAuthButtonComesWithAWebClientIdAndAnIssuer() {
        MockOAuth2Server issuerServer = new MockOAuth2Server();
        issuerServer.start();
        try {
            String issuer = issuerServer.issuerUrl("default").toString();
            Map<String, String> env = Map.of("BATON_OAUTH_ISSUER", issuer);
            Tokens tokens = new Tokens(TestDatabase.database(), Clock.systemUTC());
            PublicUrl url = PublicUrl.parse("http://127.0.0.1:8080");

            ServeCommand configured = CommandLine.populateCommand(new ServeCommand(env), "--http",
                    "--public-url", url.base().toString(), "--web-client-id", "baton-web");
            OAuthResourceServer oauth = OAuthResourceServer.discover(
                    configured.oauthOptions.settings(env, configured.webOptions.publicUrl), Clock.systemUTC());
            List<SignInFlow> flows = configured.signInFlows(url, oauth, tokens);
            assertThat(flows).hasSize(1);
            assertThat(flows.get(0).name()).isEqualTo("oauth");
            assertThat(flows.get(0).label()).isEqualTo("Sign in with " + issuerServer.issuerUrl("default").host());

            ServeCommand withoutClient = CommandLine.populateCommand(new ServeCommand(env), "--http",
                    "--public-url", url.base().toString());
            assertThat(withoutClient.signInFlows(url, oauth, tokens)).as("the token form only").isEmpty();
            assertThat(withoutClient.signInFlows(url, null, tokens)).isEmpty();
        } finally {
            issuerServer.shutdown();
        }
    }
}
