package baton.mcpapp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The distribution's headless Chromium ({@code chromium} and {@code chromium-driver}, installed by
 * {@code .ci/run}) driven by Selenium, never a browser downloaded at test time. Without them the
 * browser tests are skipped with a sentence, except under CI (the {@code CI} environment variable),
 * where their absence fails the test.
 */
final class HeadlessChromium {

    static final Path BROWSER = Path.of(System.getProperty("baton.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("baton.chromedriver", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /** Skips the calling test when the browser is missing outside CI; fails it under CI. */
    static void requireInstalled() {
        if (installed()) {
            return;
        }
        String missing = BROWSER + " and " + DRIVER + " (Debian packages chromium and chromium-driver)";
        if (System.getenv("CI") != null) {
            throw new AssertionError("CI must run the browser tests, but " + missing + " are not installed:"
                    + " .ci/run installs them with apt-get install -y chromium chromium-driver");
        }
        Assumptions.abort("browser test skipped: " + missing + " are not installed;"
                + " apt-get install -y chromium chromium-driver to run it");
    }

    static ChromeDriver start(int width, int height) {
        requireInstalled();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--hide-scrollbars", "--force-device-scale-factor=1");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }
}
