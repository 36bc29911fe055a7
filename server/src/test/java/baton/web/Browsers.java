package baton.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium from the distribution's packages ({@code chromium} and {@code chromium-driver},
 * installed by {@code .ci/run}), found as {@code baton.e2e.ExternalTools} finds its tools: a
 * system property or variable names it, else the Debian paths. Nothing is downloaded: Selenium's
 * own driver manager never runs, since both paths are given.
 */
final class Browsers {

    private static final List<String> CHROMIUM = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final List<String> DRIVER = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private Browsers() {
    }

    /** Chromium and its driver, when both are installed. */
    static Optional<Path[]> find() {
        Optional<Path> browser = first("baton.chromium", "BATON_CHROMIUM", CHROMIUM);
        Optional<Path> driver = first("baton.chromedriver", "BATON_CHROMEDRIVER", DRIVER);
        return browser.isPresent() && driver.isPresent() ? Optional.of(new Path[] {browser.get(), driver.get()})
                : Optional.empty();
    }

    /** In CI the browser tests must run: a missing browser is a failure there, not a skip. */
    static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    static ChromeDriver start(Path[] found) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(found[0].toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1000,760", "--no-first-run", "--disable-extensions", "--hide-scrollbars");
        // alerts stay open so the test can look for them, instead of failing the next command
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.setExperimentalOption("prefs", Map.of("credentials_enable_service", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(found[1].toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    private static Optional<Path> first(String property, String variable, List<String> defaults) {
        String named = System.getProperty(property, System.getenv(variable));
        if (named != null && !named.isBlank()) {
            Path p = Path.of(named);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        return defaults.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }
}
