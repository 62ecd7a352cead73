package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/**
 * report.html of the sample organization in headless Chromium: it runs offline without errors, its filters, sorting
 * and copy buttons work, and hostile values stay text. Fails (never skips) when chromium is missing.
 */
class HtmlReportBrowserTest {

    @TempDir
    static Path dir;
    static RunOutput run;
    static ChromeDriver driver;
    static String url;

    @BeforeAll
    static void openReport() throws IOException {
        run = SampleRun.write(dir.resolve("out"));
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

    List<WebElement> visibleOpenFindings() {
        return driver.findElements(By.cssSelector("#findings tbody.finding")).stream()
                .filter(WebElement::isDisplayed).toList();
    }

    List<String> attr(List<WebElement> els, String name) {
        return els.stream().map(e -> e.getDomAttribute(name)).toList();
    }

    @Test
    void loadsWithoutConsoleErrorsAndWithoutAnyNetworkRequest() throws IOException {
        driver.manage().logs().get(LogType.PERFORMANCE); // drop entries of earlier pages
        driver.get(url);
        // use the page a little: filter, sort, open a finding, copy
        new Select(driver.findElement(By.id("f-sev"))).selectByValue("1");
        driver.findElement(By.cssSelector("#findings button.sort[data-sort='principal']")).click();
        driver.findElement(By.cssSelector("#findings tbody.finding button.toggle")).click();
        List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("console messages").isEmpty();

        ObjectMapper json = new ObjectMapper();
        List<String> requested = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE).getAll()) {
            JsonNode m = json.readTree(e.getMessage()).path("message");
            if (m.path("method").asText().equals("Network.requestWillBeSent")) {
                requested.add(m.at("/params/request/url").asText());
            }
        }
        assertThat(requested).containsExactly(url);
        Object resources = driver.executeScript(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; });");
        assertThat((List<?>) resources).isEmpty();
    }

    @Test
    void scriptRanUnderTheContentSecurityPolicy() {
        assertThat(driver.findElement(By.tagName("html")).getDomAttribute("class")).isEqualTo("js");
        assertThat(driver.findElement(By.id("filter-status")).getText()).isEqualTo("12 open findings.");
        // detail rows are hidden until opened
        assertThat(driver.findElement(By.cssSelector("#findings tr.detail")).isDisplayed()).isFalse();
    }

    @Test
    void severityFilterShowsOnlyFindingsAtOrAboveTheThreshold() {
        assertThat(visibleOpenFindings()).hasSize(12);
        new Select(driver.findElement(By.id("f-sev"))).selectByValue("0");
        assertThat(attr(visibleOpenFindings(), "data-sev")).containsOnly("CRITICAL").hasSize(2);
        assertThat(driver.findElement(By.id("filter-status")).getText())
                .isEqualTo("Showing 2 of 12 open findings (filters also apply to accepted risks).");
        new Select(driver.findElement(By.id("f-sev"))).selectByValue("1");
        assertThat(attr(visibleOpenFindings(), "data-sev")).containsOnly("CRITICAL", "HIGH").hasSize(9);
        // empty groups disappear
        assertThat(driver.findElement(By.id("type-kms-decrypt-all-keys")).isDisplayed()).isFalse();
    }

    @Test
    void typeAccountAndChangeFiltersCombine() {
        new Select(driver.findElement(By.id("f-type"))).selectByValue("START_BLOCKED_KMS_DENIED");
        assertThat(visibleOpenFindings()).hasSize(4);
        new Select(driver.findElement(By.id("f-account"))).selectByValue("012345678901");
        assertThat(attr(visibleOpenFindings(), "data-principal")).containsExactly(
                "arn:aws:iam::012345678901:role/ops/payments-operator",
                "arn:aws:iam::012345678901:role/aws-service-role/autoscaling.amazonaws.com/"
                        + "AWSServiceRoleForAutoScaling");
        assertThat(driver.findElement(By.cssSelector("#type-start-blocked-kms-denied [data-role=count]")).getText())
                .isEqualTo("2 of 4");
        driver.findElement(By.id("f-reset")).click();
        new Select(driver.findElement(By.id("f-change"))).selectByValue("NEW");
        assertThat(attr(visibleOpenFindings(), "data-type")).containsExactly("START_ACCESS_CONDITIONAL");
    }

    @Test
    void principalAndFreeTextFiltersMatchSubstrings() {
        driver.findElement(By.id("f-principal")).sendKeys("ALICE");
        waitForFilter();
        assertThat(attr(visibleOpenFindings(), "data-principal"))
                .containsExactly("arn:aws:iam::111122223333:user/alice");
        driver.findElement(By.id("f-principal")).clear();
        driver.findElement(By.id("f-text")).sendKeys("notebook-gpu");
        waitForFilter();
        assertThat(attr(visibleOpenFindings(), "data-instance")).containsExactly("i-0c3d4e5f6a7b8c9d0");
        driver.findElement(By.id("f-text")).clear();
        driver.findElement(By.id("f-text")).sendKeys("no such thing anywhere");
        waitForFilter();
        assertThat(visibleOpenFindings()).isEmpty();
        assertThat(driver.findElement(By.id("no-match")).isDisplayed()).isTrue();
        driver.findElement(By.id("f-reset")).click();
        waitForFilter();
        assertThat(visibleOpenFindings()).hasSize(12);
    }

    @Test
    void clickingAChartBarFiltersByItsAccount() {
        driver.findElement(By.cssSelector(".chart .bar[data-account='333344445555'] rect")).click();
        assertThat(attr(visibleOpenFindings(), "data-account")).containsOnly("333344445555").hasSize(3);
    }

    @Test
    void sortingByPrincipalReordersAndTogglesDirection() {
        By rows = By.cssSelector("#type-start-blocked-kms-denied .acct-group[data-account='012345678901'] "
                + "tbody.finding");
        By header = By.cssSelector("#type-start-blocked-kms-denied .acct-group[data-account='012345678901'] "
                + "button.sort[data-sort='principal']");
        assertThat(attr(driver.findElements(rows), "data-principal")).first().asString().endsWith("payments-operator");
        driver.findElement(header).click();
        assertThat(attr(driver.findElements(rows), "data-principal")).first().asString()
                .endsWith("AWSServiceRoleForAutoScaling");
        assertThat(driver.findElement(header).findElement(By.xpath("..")).getDomAttribute("aria-sort"))
                .isEqualTo("ascending");
        driver.findElement(header).click();
        assertThat(attr(driver.findElements(rows), "data-principal")).first().asString()
                .endsWith("payments-operator");
        assertThat(driver.findElement(header).findElement(By.xpath("..")).getDomAttribute("aria-sort"))
                .isEqualTo("descending");
    }

    @Test
    void sortingBySeverityPutsCriticalFirstInEveryTable() {
        driver.findElement(By.cssSelector("#findings button.sort[data-sort='sev']")).click();
        driver.findElement(By.cssSelector("#findings button.sort[data-sort='sev']")).click();
        // descending by rank: INFO..CRITICAL reversed means the highest rank number first
        driver.findElement(By.cssSelector("#findings button.sort[data-sort='sev']")).click();
        for (WebElement table : driver.findElements(By.cssSelector("#findings table.findings"))) {
            List<String> ranks = attr(table.findElements(By.cssSelector("tbody.finding")), "data-sev-rank");
            assertThat(ranks).isSorted();
        }
    }

    @Test
    void detailsShowEvidenceAndTheFixSnippet() {
        WebElement finding = driver.findElement(By.cssSelector("#type-start-blocked-kms-denied tbody.finding"));
        WebElement detail = finding.findElement(By.cssSelector("tr.detail"));
        assertThat(detail.isDisplayed()).isFalse();
        finding.findElement(By.cssSelector("tr.summary td.principal")).click();
        assertThat(detail.isDisplayed()).isTrue();
        assertThat(detail.getText()).contains("key policy of " + ReportFixtures.SHARED_KEY);
        assertThat(finding.findElement(By.cssSelector("pre")).getText())
                .isEqualTo(ReportFixtures.keyPolicyFix("arn:aws:iam::012345678901:role/ops/payments-operator"));
        assertThat(finding.findElement(By.cssSelector("button.toggle")).getDomAttribute("aria-expanded"))
                .isEqualTo("true");
    }

    @Test
    void copyButtonPutsTheSnippetOnTheClipboard() {
        WebElement finding = driver.findElement(By.cssSelector("#type-start-blocked-kms-denied tbody.finding"));
        finding.findElement(By.cssSelector("button.toggle")).click();
        WebElement copy = finding.findElement(By.cssSelector("button.copy"));
        copy.click();
        // navigator.clipboard.writeText resolves asynchronously (later on a busy machine); the label then reads
        // "Copied" for 2 s
        new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(20))
                .until(d -> "Copied".equals(copy.getText()));
        // paste into a new text area to read what the clipboard holds
        driver.executeScript("var t = document.createElement('textarea'); t.id = 'paste-target';"
                + "document.body.appendChild(t);");
        WebElement target = driver.findElement(By.id("paste-target"));
        target.click();
        target.sendKeys(Keys.chord(Keys.CONTROL, "v"));
        assertThat(target.getDomProperty("value"))
                .isEqualTo(ReportFixtures.keyPolicyFix("arn:aws:iam::012345678901:role/ops/payments-operator"));
    }

    @Test
    void copyFallsBackToATextAreaWithoutTheClipboardApi() {
        driver.executeScript("Object.defineProperty(navigator, 'clipboard', {value: undefined});"
                + "window.__copied = null;"
                + "document.execCommand = function (cmd) {"
                + "  var a = document.activeElement;"
                + "  window.__copied = cmd + ':' + a.tagName + ':' + a.value; return true; };");
        WebElement finding = driver.findElement(By.cssSelector("#type-start-blocked-kms-denied tbody.finding"));
        finding.findElement(By.cssSelector("button.toggle")).click();
        WebElement copy = finding.findElement(By.cssSelector("button.copy"));
        copy.click();
        assertThat(driver.executeScript("return window.__copied;")).isEqualTo("copy:TEXTAREA:"
                + ReportFixtures.keyPolicyFix("arn:aws:iam::012345678901:role/ops/payments-operator"));
        assertThat(copy.getText()).isEqualTo("Copied");
        assertThat(driver.findElements(By.cssSelector("textarea.copy-buffer"))).isEmpty();
    }

    @Test
    void roleNamedLikeAScriptShowsAsTextAndRunsNothing() {
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        WebElement finding = driver.findElement(By.cssSelector("#type-kms-full-access tbody.finding"));
        assertThat(finding.findElement(By.cssSelector("td.principal .pname")).getText())
                .isEqualTo("<script>alert(1)</script>");
        finding.findElement(By.cssSelector("button.toggle")).click();
        assertThat(finding.findElement(By.cssSelector("tr.detail")).getText())
                .contains(ReportFixtures.SCRIPT_ROLE)
                .contains("arn:aws:iam::111122223333:policy/<img src=x onerror=alert(2)>#0");
        assertThat(driver.findElements(By.tagName("script"))).hasSize(1);
        assertThat(driver.findElements(By.tagName("img"))).isEmpty();
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        // the formula-looking Name tag is plain text in the page
        assertThat(driver.findElement(By.cssSelector("tbody.finding[data-instance='i-0e4f5a6b7c8d9e0f1'] .iname"))
                .getText()).isEqualTo(ReportFixtures.FORMULA_NAME);
    }

    @Test
    void changesAndAcceptedRisksAreShown() {
        assertThat(driver.findElement(By.cssSelector("#changes tr.resolved")).getText()).contains("log-ops")
                .contains("i-09a8b7c6d5e4f3a21");
        assertThat(driver.findElements(By.cssSelector("#accepted ul.problems li"))).hasSize(2);
        assertThat(driver.findElements(By.cssSelector("#accepted tr.rule-expired"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("#accepted tr.rule-unused"))).hasSize(1);
        assertThat(attr(driver.findElements(By.cssSelector("#accepted tbody.finding")), "data-status"))
                .containsOnly("SUPPRESSED").hasSize(2);
        assertThat(driver.findElement(By.cssSelector("#coverage table.gaps")).getText())
                .contains("ASSUME_ROLE_DENIED").contains("sandbox-legacy");
        driver.findElement(By.cssSelector("#changes button[data-filter-change='CHANGED']")).click();
        assertThat(attr(visibleOpenFindings(), "data-type")).containsExactly("KMS_CREATEGRANT_UNCONSTRAINED");
    }

    void waitForFilter() {
        // text inputs apply after a 120 ms pause in typing
        driver.executeAsyncScript("var done = arguments[arguments.length - 1]; setTimeout(done, 250);");
    }
}
