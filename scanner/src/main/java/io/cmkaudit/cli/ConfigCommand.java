package io.cmkaudit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.cmkaudit.config.ScannerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code cmk-audit config}: validates the configuration file and options, and prints the effective configuration. */
@Command(name = "config", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Validate --config and the options, and print the effective configuration as YAML.")
final class ConfigCommand implements Callable<Integer> {

    @Mixin
    ScanOptions options;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ScannerConfig c = options.effective(output);
        Map<String, Object> m = describe(c);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        spec.commandLine().getOut().print(yaml.writeValueAsString(m));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /**
     * @param c the effective configuration
     * @return its keys as {@code config} prints them and {@code manifest.json} records them (the external id shown
     *         as {@code (set)})
     */
    static Map<String, Object> describe(ScannerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("roleName", c.roleName());
        m.put("externalId", c.externalId() == null ? null : "(set)");
        m.put("sessionName", c.sessionName());
        m.put("regions", c.regions());
        m.put("accounts", Map.of("include", c.includeAccounts(), "exclude", c.excludeAccounts()));
        m.put("concurrency", c.concurrency());
        m.put("maxRequests", c.maxRequests());
        java.util.Map<String, Object> rates = new java.util.LinkedHashMap<>();
        for (io.cmkaudit.config.RateLimit row : io.cmkaudit.config.RateLimit.values()) {
            rates.put(row.key(), c.rate(row));
        }
        m.put("rateLimits", rates);
        m.put("failOn", c.failOn());
        m.put("outputDir", c.outputDir().toString());
        m.put("endpointUrl", c.endpointUrl() == null ? null : c.endpointUrl().toString());
        m.put("callTimeoutSeconds", c.callTimeoutSeconds());
        m.put("scanCurrentAccountWithRole", c.scanCurrentAccountWithRole());
        m.put("profile", c.profile() != null ? c.profile() : System.getenv("AWS_PROFILE"));
        m.put("region", c.region() != null ? c.region()
                : io.cmkaudit.collect.Credentials.homeRegionName(c) + " (from the SDK's region chain)");
        m.put("severity", c.minSeverity());
        m.put("formats", c.formats());
        m.put("ownerTag", c.ownerTag());
        return m;
    }
}
