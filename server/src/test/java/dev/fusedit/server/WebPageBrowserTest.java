package dev.fusedit.server;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.RgbImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page in a real browser: headless Chromium (Debian's chromium and chromium-driver, which
 * .ci/run installs) types a prompt, presses Generate, follows the progress events to the end and
 * shows the images at the model's size, with the library's pixels for the seeds it names.
 */
class WebPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static ServedModel model;
    private static ImageServer server;

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: no headless Chromium here (apt-get install chromium chromium-driver; .ci/run does)");
        model = BundledModel.load();
        server = ImageServer.start(model, ServerOptions.defaults().withAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) server.close();
        if (model != null) model.close();
    }

    @Test
    void typingAPromptAndPressingGenerateShowsTheImages() throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(server.uri().toString());
            set(browser, "prompt", "a blue square above a red circle");
            set(browser, "n", "2");
            set(browser, "seed", "42");
            set(browser, "steps", "8");
            browser.findElement(By.id("generate")).click();
            new WebDriverWait(browser, Duration.ofSeconds(120)).until(b -> b.findElement(By.id("status")).getText().startsWith("done"));

            assertThat(browser.findElement(By.id("progress")).getDomProperty("value")).isEqualTo("1");
            List<WebElement> images = browser.findElements(By.cssSelector("#gallery img"));
            assertThat(images).hasSize(2);
            JavascriptExecutor js = (JavascriptExecutor) browser;
            List<RgbImage> expected;
            try (FuseDiTPipeline library = FuseDiTPipeline.load(BundledModel.FOLDER)) {
                expected = ImageServerTest.libraryImages(library, "a blue square above a red circle", 42, 2, 8);
            }
            // the gallery puts the newest first: image 1 (seed 43), then image 0 (seed 42)
            for (int shown = 0; shown < 2; shown++) {
                WebElement img = images.get(shown);
                assertThat(((Number) js.executeScript("return arguments[0].naturalWidth", img)).intValue()).isEqualTo(32);
                assertThat(((Number) js.executeScript("return arguments[0].naturalHeight", img)).intValue()).isEqualTo(32);
                String src = img.getAttribute("src");
                byte[] png = Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1));
                assertThat(ImageServerTest.decode(png).pixels()).isEqualTo(expected.get(1 - shown).pixels());
            }
            List<WebElement> captions = browser.findElements(By.cssSelector("#gallery figcaption"));
            assertThat(captions.get(0).getText()).contains("a blue square above a red circle").contains("seed 43");
            assertThat(browser.findElements(By.cssSelector("#gallery figcaption a[download]"))).hasSize(2);
        } finally {
            browser.quit();
        }
    }

    private static void set(WebDriver browser, String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }
}
