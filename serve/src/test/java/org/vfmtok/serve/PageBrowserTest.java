package org.vfmtok.serve;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver (paths
 * set explicitly, so Selenium Manager downloads nothing). The page loads with the class list, a search and a
 * click add a class, Generate shows the images (progress over server-sent events), a bad value shows the
 * server's error, an upload is reconstructed with its PSNR. Takes a screenshot into target/page.png. Skipped,
 * saying why, only when chromium or chromedriver is not installed ({@code apt-get install chromium chromium-driver}).
 */
class PageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    private static VfmServer server;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "browser test skipped: /usr/bin/chromium and /usr/bin/chromedriver are needed (apt-get install chromium chromium-driver)");
        server = VfmServer.start(ServerTestSupport.models(), ServerTestSupport.options(16, 16));
        profile = Files.createTempDirectory("vfm-chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.quit();
        if (server != null) server.close();
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static WebDriverWait await() { return new WebDriverWait(browser, Duration.ofSeconds(60)); }

    private static void set(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    @Test
    void thePageGeneratesShowsErrorsAndReconstructs() throws Exception {
        try {
            run();
        } catch (RuntimeException | AssertionError e) {
            // what the browser showed, for the report
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "page-failure.png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            String src = browser.getPageSource();
            System.out.println("page at the failure:\n" + src.substring(0, Math.min(4000, src.length())));
            throw e;
        }
    }

    private void run() throws Exception {
        browser.get(ServerTestSupport.url(server, "/"));
        await().until(d -> d.findElements(By.cssSelector("#classList option")).size() > 100);
        assertTrue(browser.findElement(By.id("banner")).getText().contains("RANDOM WEIGHTS"));
        // search, then pick a class; golden retriever (207) is chosen from the start
        set("search", "otter");
        await().until(d -> d.findElements(By.cssSelector("#classList option[value='360']")).size() == 1
                && d.findElements(By.cssSelector("#classList option")).size() < 5);   // otter, otterhound
        new Select(browser.findElement(By.id("classList"))).selectByValue("360");
        await().until(d -> d.findElements(By.cssSelector("#chosen .chip")).size() == 2);
        set("seed", "7");
        browser.findElement(By.id("generate")).click();
        await().until(d -> d.findElements(By.cssSelector("#results img")).size() == 2);
        await().until(d -> browser.findElement(By.id("status")).getText().startsWith("done"));
        List<WebElement> imgs = browser.findElements(By.cssSelector("#results img"));
        for (WebElement img : imgs) {
            Object width = ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", img);
            assertEquals((long) ServerTestSupport.models().imageSize(), ((Number) width).longValue(), "a decoded image");
        }
        assertTrue(browser.findElement(By.id("results")).getText().contains("otter"));

        // reconstruct an upload
        Path upload = Files.createTempFile("vfm-upload", ".png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(48, 48, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) img.setRGB(x, y, (x * 5) << 16 | (y * 5) << 8 | 128);
        Files.write(upload, ImageCodec.png(img));
        browser.findElement(By.id("upload")).sendKeys(upload.toAbsolutePath().toString());
        browser.findElement(By.id("reconstruct")).click();
        await().until(d -> d.findElement(By.id("recResult")).getText().contains("PSNR"));
        Files.delete(upload);

        Path shot = Path.of("target", "page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

        // a bad value: the server's refusal is shown
        set("topp", "5");
        browser.findElement(By.id("generate")).click();
        WebElement error = browser.findElement(By.id("error"));
        await().until(d -> error.isDisplayed() && !error.getText().isEmpty());
        assertTrue(error.getText().contains("'top_p' must be in (0, 1]"), error.getText());
        Files.write(Path.of("target", "page-error.png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertTrue(new File("target/page.png").length() > 1000);
    }
}
