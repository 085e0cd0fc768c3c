package memfleet.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The console's pages in Debian's headless Chromium: every page loads with no browser console error, a key written
 * by a client is listed under its slab class and previews correctly, an admin deletes it while a viewer cannot, a
 * key named like a script renders as text, the fleet page turns a stopped node down and back up without a reload, and
 * the Replication page shows the replicating pair in sync and its consistency check agreeing.
 * Screenshots of every page go to {@code memfleet.screenshots} (docs/ when run for the README).
 */
class BrowserIT {
    static NodeProcess a;
    static NodeProcess b;
    static ConsoleInstance console;
    ChromeDriver driver;

    @BeforeAll
    static void start() {
        // a pair that replicates, so the Replication page (and its screenshot) shows a real group
        int portA = NodeProcess.freePort();
        int portB = NodeProcess.freePort();
        int replA = NodeProcess.freePort();
        int replB = NodeProcess.freePort();
        a = NodeProcess.startOn(portA, "-X", Integer.toString(replA), "-x", "127.0.0.1:" + replB, "--node-id=1");
        b = NodeProcess.startOn(portB, "-X", Integer.toString(replB), "-x", "127.0.0.1:" + replA, "--node-id=2");
        console = new ConsoleInstance("--memfleet.nodes=" + a.id() + "@east," + b.id() + "@east");
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @BeforeEach
    void browser() {
        ChromeOptions options = new ChromeOptions();
        // DOM ready is enough: every check waits for what it looks at, and a page's live stream must not
        // keep a navigation (the login redirect) waiting on a busy machine
        options.setPageLoadStrategy(org.openqa.selenium.PageLoadStrategy.EAGER);
        options.setBinary(System.getProperty("memfleet.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("memfleet.chromedriver", "/usr/bin/chromedriver")).toFile())
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.quit();
        }
    }

    private void login(String user) {
        driver.get(console.url("/login"));
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(user);
        driver.findElement(By.id("login")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.getCurrentUrl().contains("/login"));
    }

    private void open(String path) {
        driver.get(console.url(path));
    }

    /** Browser console entries at SEVERE level since the last call. */
    private List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private void screenshot(String name) {
        String dir = System.getProperty("memfleet.screenshots");
        if (dir == null) {
            return;
        }
        try {
            Path out = Path.of(dir);
            Files.createDirectories(out);
            Files.write(out.resolve("console-" + name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The slab class a stored key belongs to, as the node reports it: the class whose cachedump lists it. */
    private static int classOf(NodeProcess node, String key) {
        for (int c = 1; c < 64; c++) {
            if (node.send("stats cachedump " + c + " 0\r\n", "END\r\n").contains("ITEM " + key + " [")) {
                return c;
            }
        }
        throw new AssertionError(key + " is in no slab class");
    }

    @Test
    void everyPageLoadsWithoutConsoleErrors() {
        a.set("page:small", 3, "hello");
        a.set("page:large", 0, "v".repeat(3000));
        int cls = classOf(a, "page:small");
        login("admin");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            open("/");
            return driver.findElements(By.cssSelector("tr.up")).size() == 2;
        });
        Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("fleet", "/");
        pages.put("node", "/node?id=" + a.id());
        pages.put("slabs", "/slabs?id=" + a.id());
        pages.put("slabs-fleet", "/slabs");
        pages.put("keys", "/keys?id=" + a.id() + "&class=" + cls);
        pages.put("item", "/keys/item?id=" + a.id() + "&key=page:small&class=" + cls);
        pages.put("replication", "/replication");
        pages.put("hotkeys", "/hotkeys");
        pages.put("keyspace", "/keyspace?id=" + a.id());
        pages.put("keyspace-prefix", "/keyspace?id=" + a.id() + "&prefix=page:");
        pages.put("admin", "/admin");
        consoleErrors();
        for (Map.Entry<String, String> p : pages.entrySet()) {
            open(p.getValue());
            assertThat(driver.findElement(By.tagName("h1")).getText()).as(p.getKey()).isNotBlank();
            if (p.getKey().equals("node")) {
                // uPlot drew every chart from the history
                await().atMost(Duration.ofSeconds(10)).until(() -> driver.findElements(By.cssSelector("#charts .uplot")).size() == 10);
            }
            if (p.getKey().equals("fleet")) {
                // the open group's charts: per-node series and the group's line
                await().atMost(Duration.ofSeconds(10)).until(() -> driver.findElements(
                        By.cssSelector("details.group-charts[data-group='east'] .uplot")).size() == 7);
                assertThat(driver.findElement(By.cssSelector("details.group-charts[data-group='east'] .uplot")).getText())
                        .contains(a.id()).contains(b.id()).contains("group");
                await().atMost(Duration.ofSeconds(10)).until(() -> driver.findElement(By.id("live-state")).getText().startsWith("live"));
            }
            screenshot(p.getKey());
            assertThat(consoleErrors()).as("console errors on %s", p.getKey()).isEmpty();
        }
        driver.manage().deleteAllCookies();
        open("/login");
        screenshot("login");
        assertThat(consoleErrors()).as("console errors on login").isEmpty();
    }

    @Test
    void aKeyWrittenByAClientIsListedUnderItsClassAndPreviews() {
        assertThat(a.set("browse:small", 17, "hello world")).isEqualTo("STORED");
        assertThat(a.set("browse:large", 0, "x".repeat(5000))).isEqualTo("STORED");
        int small = classOf(a, "browse:small");
        int large = classOf(a, "browse:large");
        assertThat(large).isGreaterThan(small);
        Matcher cas = Pattern.compile("VALUE browse:small 17 11 (\\d+)").matcher(a.gets("browse:small"));
        assertThat(cas.find()).isTrue();
        login("viewer");

        open("/keys?id=" + a.id() + "&class=" + small);
        List<String> listed = driver.findElements(By.cssSelector("#keys a.key")).stream().map(WebElement::getText).toList();
        assertThat(listed).contains("browse:small").doesNotContain("browse:large");
        open("/keys?id=" + a.id() + "&class=" + large);
        listed = driver.findElements(By.cssSelector("#keys a.key")).stream().map(WebElement::getText).toList();
        assertThat(listed).contains("browse:large").doesNotContain("browse:small");

        open("/keys?id=" + a.id() + "&class=" + small + "&filter=" + ConsoleInstance.enc("^browse:s") + "&match=regex");
        driver.findElement(By.linkText("browse:small")).click();
        assertThat(driver.findElement(By.id("item-key")).getText()).isEqualTo("browse:small");
        assertThat(driver.findElement(By.id("item-value")).getText()).isEqualTo("hello world");
        assertThat(driver.findElement(By.id("item-size")).getText()).isEqualTo("11 bytes");
        assertThat(driver.findElement(By.id("item-flags")).getText()).isEqualTo("17");
        assertThat(driver.findElement(By.id("item-cas")).getText()).isEqualTo(cas.group(1));
        assertThat(driver.findElement(By.id("item-ttl")).getText()).isEqualTo("never");
        driver.findElement(By.linkText("as hex")).click();
        assertThat(driver.findElement(By.id("item-value")).getText()).startsWith("00000000  68 65 6c 6c 6f 20");
    }

    @Test
    void anAdminDeletesAKeyAViewerCannot() {
        a.set("doomed", 0, "bye");
        int cls = classOf(a, "doomed");
        String item = "/keys/item?id=" + a.id() + "&key=doomed&class=" + cls;
        login("viewer");
        open(item);
        assertThat(driver.findElement(By.id("item-value")).getText()).isEqualTo("bye");
        assertThat(driver.findElements(By.id("delete"))).isEmpty();
        open("/admin");
        assertThat(driver.getPageSource()).doesNotContain("flush_all");
        // the 403 itself is logged by the browser; only what follows must be clean
        assertThat(consoleErrors()).allMatch(e -> e.contains("/admin") && e.contains("403"));

        driver.manage().deleteAllCookies();
        login("admin");
        open(item);
        driver.findElement(By.id("delete")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("/keys?"));
        assertThat(driver.findElement(By.cssSelector("p.msg")).getText()).isEqualTo("delete: DELETED");
        assertThat(a.gets("doomed")).isEqualTo("END\r\n");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void aKeyNamedLikeAScriptRendersAsText() {
        String key = "<script>alert(1)</script>";
        assertThat(a.set(key, 0, "<img src=x onerror=alert(2)>")).isEqualTo("STORED");
        int cls = classOf(a, key);
        login("admin");
        open("/keys?id=" + a.id() + "&class=" + cls);
        WebElement link = driver.findElement(By.linkText(key));
        assertThat(link.getText()).isEqualTo(key);
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        link.click();
        assertThat(driver.findElement(By.id("item-key")).getText()).isEqualTo(key);
        assertThat(driver.findElement(By.id("item-value")).getText()).isEqualTo("<img src=x onerror=alert(2)>");
        assertThat(driver.findElements(By.cssSelector("main script, main img"))).isEmpty();
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void theReplicationPageShowsThePairInSyncAndTheCheckAgrees() {
        assertThat(a.set("replicated", 0, "on both")).isEqualTo("STORED");
        await().atMost(Duration.ofSeconds(20)).until(() -> b.gets("replicated").contains("on both"));
        login("viewer");
        By stateA = By.cssSelector("tr[data-node='" + a.id() + "'] td:nth-child(4)");
        By stateB = By.cssSelector("tr[data-node='" + b.id() + "'] td:nth-child(4)");
        By linksUp = By.xpath("//table[contains(@class,'replication-links')]//tr[td[4][normalize-space()='up']]");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            open("/replication");
            return driver.findElement(stateA).getText().equals("in_sync") && driver.findElement(stateB).getText().equals("in_sync")
                    && driver.findElements(linksUp).size() == 2;
        });
        driver.findElement(By.cssSelector("section[data-group='east'] form button")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.findElements(By.id("verdict")).isEmpty());
        assertThat(driver.findElement(By.id("verdict")).getText()).isEqualTo("consistent: every node holds the same items");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void theFleetPageShowsAStoppedNodeDownAndBackUpWithoutAReload() {
        login("viewer");
        open("/");
        By status = By.cssSelector("tr[data-node='" + b.id() + "'] td[data-field='status']");
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.findElement(status).getText().equals("up"));
        ((JavascriptExecutor) driver).executeScript("window.notReloaded = true;");
        b.stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.findElement(status).getText().equals("down"));
        assertThat(driver.findElement(By.cssSelector("tr[data-node='" + b.id() + "']")).getAttribute("class")).contains("down");
        b.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> driver.findElement(status).getText().equals("up"));
        assertThat(((JavascriptExecutor) driver).executeScript("return window.notReloaded === true;")).isEqualTo(true);
    }
}
