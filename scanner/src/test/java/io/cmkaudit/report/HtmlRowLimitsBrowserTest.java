package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/**
 * A report.html cut by the row limits, in headless Chromium: the badges keep the full counts, the status line says
 * how many findings the page lists of how many, and the filters work on the listed rows. Fails (never skips) when
 * chromium is missing.
 */
class HtmlRowLimitsBrowserTest {

    @TempDir
    static Path dir;
    static ChromeDriver driver;
    static String url;

    @BeforeAll
    static void openReport() throws IOException {
        // alpha: 250 start-blocked (10 CRITICAL) + 5 full access; beta: 30 start-blocked. 60 rows in all: 28, 27, 5
        RunOutput run = new ReportWriter().write(ReportFixtures.result(HtmlRowLimitsTest.analysis(HtmlRowLimitsTest.openFindings()),
                        ReportFixtures.sampleCoverage()),
                new ReportOptions(dir.resolve("out"), null, null, null, ReportFixtures.CLOCK).withHtmlLimits(100, 60));
        url = run.reportHtml().toUri().toString();
        driver = HeadlessChromium.start(dir.resolve("profile"), 1360, 1000);
    }

    @AfterAll
    static void close() {
        if (driver != null) {
            driver.quit();
        }
    }

    @BeforeEach
    void load() {
        driver.get(url);
    }

    String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    List<WebElement> visibleOpenFindings() {
        return driver.findElements(By.cssSelector("#findings tbody.finding")).stream()
                .filter(WebElement::isDisplayed).toList();
    }

    @Test
    void statusAndBadgesGiveTheFullCountsAndTheNotesShow() {
        assertThat(driver.manage().logs().get(LogType.BROWSER).getAll()).as("console messages").isEmpty();
        assertThat(visibleOpenFindings()).hasSize(60);
        assertThat(text("#filter-status")).isEqualTo(
                "285 open findings; this page lists 60 of them (findings.csv / findings.json hold every one).");
        assertThat(text("#limit-note")).isEqualTo("This page lists 60 of 285 findings (at most 100 per type and "
                + "account, 60 in all). Counts, tiles and the chart cover every finding; findings.csv and "
                + "findings.json hold every row.");
        assertThat(text("#type-start-blocked-kms-denied h3 [data-role=count]")).isEqualTo("280");
        assertThat(text("#type-start-blocked-kms-denied .acct-group[data-account='111111111111'] [data-role=count]"))
                .isEqualTo("250");
        assertThat(text("#type-start-blocked-kms-denied .acct-group[data-account='111111111111'] .rows-note"))
                .isEqualTo("Showing 28 of 250 \u2014 all rows are in findings.csv / findings.json");
        assertThat(text("#type-start-blocked-kms-denied .acct-group[data-account='222222222222'] .rows-note"))
                .isEqualTo("Showing 27 of 30 \u2014 all rows are in findings.csv / findings.json");
        assertThat(driver.findElements(By.cssSelector("#type-kms-full-access .rows-note"))).isEmpty();
        // the tiles count every finding
        assertThat(driver.findElements(By.cssSelector(".tile-sev .tile-num")).stream().map(WebElement::getText)
                .toList()).containsExactly("10", "275", "0", "0", "0");
    }

    @Test
    void filtersWorkOnTheListedRowsAndSaySo() {
        new Select(driver.findElement(By.id("f-sev"))).selectByValue("0");
        assertThat(visibleOpenFindings()).extracting(e -> e.getDomAttribute("data-sev")).containsOnly("CRITICAL")
                .hasSize(10);
        assertThat(text("#filter-status")).isEqualTo("Showing 10 of the 60 open findings this page lists (285 in "
                + "all, every one in findings.csv / findings.json); filters also apply to accepted risks.");
        assertThat(text("#type-start-blocked-kms-denied h3 [data-role=count]")).isEqualTo("10 of 55 listed");
        assertThat(text("#type-start-blocked-kms-denied .acct-group[data-account='111111111111'] [data-role=count]"))
                .isEqualTo("10 of 28 listed");
        assertThat(driver.findElement(By.id("type-kms-full-access")).isDisplayed()).isFalse();
        driver.findElement(By.id("f-reset")).click();
        driver.executeAsyncScript("var done = arguments[arguments.length - 1]; setTimeout(done, 100);");
        assertThat(visibleOpenFindings()).hasSize(60);
        assertThat(text("#type-kms-full-access h3 [data-role=count]")).isEqualTo("5");
    }
}
