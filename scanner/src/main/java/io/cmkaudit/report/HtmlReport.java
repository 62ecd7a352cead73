package io.cmkaudit.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.exceptions.TemplateEngineException;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.FileTemplateResolver;

/**
 * Renders {@code report.html} with Thymeleaf from {@code report-templates/}: {@code report.html} (the page),
 * {@code report.css} and {@code report.js} (inlined into it). Each file is taken from the override directory when
 * given and present there, else from the jar's {@code report-templates/}.
 *
 * <p>The page is self-contained and makes no network request: the stylesheet and script are inlined, and a
 * Content-Security-Policy {@code <meta>} allows exactly those two (by SHA-256 hash), {@code data:} images, and
 * nothing else, so even an injected script or an external URL could not run or load.
 */
final class HtmlReport {

    static final String PAGE = "report.html";
    static final String CSS = "report.css";
    static final String JS = "report.js";
    private static final String CLASSPATH_DIR = "report-templates/";

    private final Path overrideDir;
    private final TemplateEngine engine;
    private final Assets assets;

    /** The stylesheet and script inlined into the page, with the Content-Security-Policy that allows them. */
    private record Assets(String css, String js, String csp) {
    }

    /**
     * @param overrideDir a {@code --templates} directory, or null for the built-in templates
     * @throws ReportInputException when the directory is missing, holds none of the template files, or an asset in
     *                              it cannot be used
     */
    HtmlReport(Path overrideDir) {
        this.overrideDir = overrideDir;
        if (overrideDir != null && !Files.isDirectory(overrideDir)) {
            throw new ReportInputException(overrideDir + ": templates directory not found");
        }
        if (overrideDir != null && java.util.stream.Stream.of(PAGE, CSS, JS)
                .noneMatch(f -> Files.isRegularFile(overrideDir.resolve(f)))) {
            // an empty folder or a wrong one would silently give the built-in report
            throw new ReportInputException(overrideDir + ": templates directory has none of " + PAGE + ", " + CSS
                    + ", " + JS + " (each one found there replaces the built-in one; start from a copy of "
                    + "report-templates/)");
        }
        this.engine = new TemplateEngine();
        int order = 1;
        if (overrideDir != null) {
            FileTemplateResolver files = new FileTemplateResolver();
            files.setPrefix(overrideDir.toAbsolutePath() + "/");
            files.setTemplateMode(TemplateMode.HTML);
            files.setCharacterEncoding("UTF-8");
            files.setCheckExistence(true);
            files.setCacheable(false);
            files.setOrder(order++);
            engine.addTemplateResolver(files);
        }
        ClassLoaderTemplateResolver builtIn = new ClassLoaderTemplateResolver(HtmlReport.class.getClassLoader());
        builtIn.setPrefix(CLASSPATH_DIR);
        builtIn.setTemplateMode(TemplateMode.HTML);
        builtIn.setCharacterEncoding("UTF-8");
        builtIn.setCheckExistence(true);
        builtIn.setOrder(order);
        engine.addTemplateResolver(builtIn);
        String css = asset(CSS, "</style");
        String js = asset(JS, "</script");
        String csp = "default-src 'none'; style-src '" + sha256(css) + "'; script-src '" + sha256(js)
                + "'; img-src data:; base-uri 'none'; form-action 'none'";
        this.assets = new Assets(css, js, csp);
    }

    /**
     * Renders the page into {@code file}.
     *
     * @throws ReportInputException when an override template fails to render (named with its line)
     * @throws IOException          when the file cannot be written
     */
    void render(Path file, ReportModel model) throws IOException {
        Context ctx = new Context(Locale.ROOT);
        ctx.setVariable("report", model);
        ctx.setVariable("css", assets.css());
        ctx.setVariable("js", assets.js());
        ctx.setVariable("csp", assets.csp());
        try (Writer w = new UnsyncBufferedWriter(new OutputStreamWriter(Files.newOutputStream(file),
                StandardCharsets.UTF_8), 1 << 16)) {
            engine.process(PAGE, ctx, w);
        } catch (TemplateEngineException e) {
            TemplateProcessingException located = located(e);
            Integer line = located == null ? null : located.getLine();
            String what = located == null ? rootMessage(e) : located.getMessage();
            int cut = what.indexOf(" (template: ");
            String where = (fromOverride(PAGE) ? overrideDir.resolve(PAGE).toString() : CLASSPATH_DIR + PAGE)
                    + (line == null ? "" : ":" + line);
            String msg = where + ": template error: " + firstLine(cut > 0 ? what.substring(0, cut) : what);
            if (fromOverride(PAGE)) {
                throw new ReportInputException(msg, e);
            }
            throw new IllegalStateException("built-in template " + msg, e);
        }
    }

    /** @return the first exception in the cause chain that knows its template line, or null */
    private static TemplateProcessingException located(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof TemplateProcessingException p && p.getLine() != null) {
                return p;
            }
        }
        return null;
    }

    private boolean fromOverride(String name) {
        return overrideDir != null && Files.isRegularFile(overrideDir.resolve(name));
    }

    private String asset(String name, String forbiddenEndTag) {
        String text;
        String where;
        try {
            if (fromOverride(name)) {
                where = overrideDir.resolve(name).toString();
                text = Files.readString(overrideDir.resolve(name), StandardCharsets.UTF_8);
            } else {
                where = CLASSPATH_DIR + name;
                try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(CLASSPATH_DIR + name)) {
                    if (in == null) {
                        throw new IllegalStateException("built-in " + CLASSPATH_DIR + name + " missing from the jar");
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new ReportInputException(overrideDir.resolve(name) + ": cannot read: " + e.getMessage(), e);
        }
        // the asset goes verbatim into a raw-text element: its end tag inside would end the element early
        int at = text.toLowerCase(Locale.ROOT).indexOf(forbiddenEndTag);
        if (at >= 0) {
            int line = 1 + (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
            throw new ReportInputException(where + ":" + line + ": must not contain `" + forbiddenEndTag + "`");
        }
        return text;
    }

    private static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
