package io.cmkaudit.report;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * Renders the embedded sample organization's report (the real analysis of {@code samples/sample-org.snapshot.json},
 * with one accepted risk) and saves a screenshot of it, taken with headless Chromium, for the
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
        RunOutput run = realSample(work);
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

    /** The real analysis of the embedded sample, with the grant-to-a-user finding accepted as a risk. */
    static RunOutput realSample(Path work) throws Exception {
        io.cmkaudit.snapshot.Snapshot snapshot;
        try (java.io.InputStream in = ReportScreenshot.class.getResourceAsStream("/samples/sample-org.snapshot.json")) {
            snapshot = io.cmkaudit.snapshot.SnapshotJson.read(in, "sample");
        }
        io.cmkaudit.analysis.AnalysisResult result = new io.cmkaudit.analysis.Analyzer().analyze(snapshot);
        String grant = result.findings().stream()
                .filter(f -> f.type() == io.cmkaudit.analysis.FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL)
                .findFirst().orElseThrow().findingId();
        Suppressions suppressions = Suppressions.parse("""
                suppressions:
                  - finding_id: %s
                    reason: Batch job grant, retirement planned with the Q1 key migration
                    owner: batch-owners@example.com
                    expires: 2027-03-31
                    ticket: SEC-1502
                """.formatted(grant), "config/suppressions.yaml");
        return new ReportWriter().write(result, new ReportOptions(work.resolve("runs"), suppressions, null, null,
                java.time.Clock.systemUTC()));
    }
}
