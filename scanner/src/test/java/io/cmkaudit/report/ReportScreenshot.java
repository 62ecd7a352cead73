package io.cmkaudit.report;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * Renders the sample organization's report and saves a screenshot of it, taken with headless Chromium, for the
 * README ({@code scripts/screenshot-report}). Not a test: run it when the templates change.
 *
 * <p>Arguments: the PNG file to write (default {@code docs/report.png}), optional viewport height (default 2300).
 */
public final class ReportScreenshot {

    private ReportScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path png = Path.of(args.length > 0 ? args[0] : "docs/report.png").toAbsolutePath();
        int height = args.length > 1 ? Integer.parseInt(args[1]) : 2300;
        Path work = Files.createTempDirectory("cmk-audit-screenshot");
        RunOutput run = SampleRun.write(work);
        ChromeDriver driver = HeadlessChromium.start(work.resolve("profile"), 1360, height);
        try {
            driver.get(run.reportHtml().toUri().toString());
            // show the filters at work and one finding opened on its evidence and fix snippet
            new Select(driver.findElement(By.id("f-type"))).selectByValue("START_BLOCKED_KMS_DENIED");
            driver.findElement(By.cssSelector("#type-start-blocked-kms-denied tbody.finding button.toggle")).click();
            driver.executeScript("window.scrollTo(0, 0);");
            byte[] shot = driver.getScreenshotAs(OutputType.BYTES);
            Files.createDirectories(png.getParent());
            Files.write(png, shot);
            System.out.println("wrote " + png + " from " + run.reportHtml());
        } finally {
            driver.quit();
        }
    }
}
