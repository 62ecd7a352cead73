package io.cmkaudit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Supplies {@code --version} from the Maven project version filtered into {@code cmk-audit-version.properties}. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    /**
     * The scanner version, e.g. {@code 0.1.0}; {@code "unknown"} when the jar was built without resources.
     *
     * @return the version string, never null
     */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/cmk-audit-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"cmk-audit " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
