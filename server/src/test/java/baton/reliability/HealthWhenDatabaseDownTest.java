package baton.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Regression: /healthz waited the pool's 5 s connection timeout before saying 503, longer than probes wait. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthWhenDatabaseDownTest {

    @TempDir
    Path base;

    @Test
    void healthzAnswers503WithinASecondWhenTheDatabaseIsDown() throws Exception {
        EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(base);
        String url = postgres.ensureRunning().urlWithPassword();
        try (Storage storage = Storage.open(url, base, 2); InProcessBaton baton = InProcessBaton.start(storage.database())) {
            assertThat(baton.health().statusCode()).isEqualTo(200);
            postgres.stop();

            for (int probe = 0; probe < 4; probe++) {
                long started = System.nanoTime();
                HttpResponse<String> down = baton.health();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).contains("database is unavailable");
                // the servlet gives up after 900 ms; the rest is slack for a loaded machine
                assertThat(millis).as("probe " + probe + " answered after " + millis + " ms").isLessThan(1500);
            }
        } finally {
            postgres.ensureRunning();
            postgres.stop();
        }
    }
}
