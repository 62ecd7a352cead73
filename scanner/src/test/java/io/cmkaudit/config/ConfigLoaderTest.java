package io.cmkaudit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("scanner.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void exampleFileInTheRepositoryLoads() {
        ScannerConfig c = new ConfigLoader().load(Path.of("../config/scanner.example.yaml"));
        assertThat(c.roleName()).isEqualTo("cmk-audit-read");
        assertThat(c.regions()).containsExactly("us-east-1", "eu-west-1");
        assertThat(c.excludeAccounts()).containsExactly("999999999999");
        assertThat(c.concurrency()).isEqualTo(64);
        assertThat(c.failOn()).isEqualTo("HIGH");
        assertThat(c.endpointUrl()).isNull();
        assertThat(c.maxRequests()).isEqualTo(256);
        assertThat(c.rate(RateLimit.IAM_READS)).isEqualTo(20.0);
        assertThat(c.rate(RateLimit.ORGANIZATIONS_TREE)).isEqualTo(5.0);
    }

    @Test
    void rateLimitsOverrideAwsRatesPerRowAndBadRowsNameTheKnownOnes() throws IOException {
        ScannerConfig c = new ConfigLoader().load(write("maxRequests: 64\nrateLimits:\n  iamReads: 5\n"
                + "  organizationsTree: 2.5\n"));
        assertThat(c.maxRequests()).isEqualTo(64);
        assertThat(c.rate(RateLimit.IAM_READS)).isEqualTo(5.0);
        assertThat(c.rate(RateLimit.ORGANIZATIONS_TREE)).isEqualTo(2.5);
        assertThat(c.rate(RateLimit.STS)).isEqualTo(600.0);
        assertThat(RateLimit.ORGANIZATIONS_TREE.burstAt(2.5)).isEqualTo(4.0);
        Path unknown = write("rateLimits:\n  iamWrites: 5\n");
        assertThatThrownBy(() -> new ConfigLoader().load(unknown)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(unknown + ":2: iamWrites: unknown rate limit row (known rows: ")
                .hasMessageContaining("iamReads");
        Path zero = write("rateLimits:\n  sts: 0\n");
        assertThatThrownBy(() -> new ConfigLoader().load(zero)).hasMessage(zero + ":2: sts: requests per second must be "
                + "> 0 and at most 100000, got 0.0");
        Path many = write("maxRequests: 5000\n");
        assertThatThrownBy(() -> new ConfigLoader().load(many))
                .hasMessage(many + ":1: maxRequests: must be between 1 and 4096, got 5000");
    }

    @Test
    void absentKeysTakeTheDefaults() throws IOException {
        ScannerConfig c = new ConfigLoader().load(write("concurrency: 3\n"));
        assertThat(c).isEqualTo(new ScannerConfig("cmk-audit-read", null, "cmk-audit", List.of(),
                List.of(), List.of(), 3, "HIGH", Path.of("cmk-audit-reports"), null, 60, false));
    }

    @Test
    void profileRegionSeverityOwnerTagAndFormatsAreRead() throws IOException {
        ScannerConfig c = new ConfigLoader().load(write("profile: gov-audit\nregion: us-gov-west-1\nseverity: high\n"
                + "formats: [csv, JSON]\n"));
        assertThat(c.profile()).isEqualTo("gov-audit");
        assertThat(c.region()).isEqualTo("us-gov-west-1");
        assertThat(c.minSeverity()).isEqualTo("HIGH");
        assertThat(c.formats()).containsExactly("csv", "json");
    }

    @Test
    void badSeverityAndFormatNameTheField() throws IOException {
        Path f = write("severity: NONE\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f)).hasMessageContaining("severity")
                .hasMessageContaining("must be one of CRITICAL, HIGH, MEDIUM, LOW, INFO");
        Path g = write("formats: [pdf]\n");
        assertThatThrownBy(() -> new ConfigLoader().load(g)).hasMessageContaining("formats")
                .hasMessageContaining("`pdf`");
    }

    @Test
    void emptyFileIsAllDefaults() throws IOException {
        assertThat(new ConfigLoader().load(write(""))).isEqualTo(ScannerConfig.DEFAULTS);
    }

    @Test
    void accountIdsKeepLeadingZeros() throws IOException {
        ScannerConfig c = new ConfigLoader().load(write("accounts:\n  include: [\"012345678901\"]\n"));
        assertThat(c.includeAccounts()).containsExactly("012345678901");
        assertThat(c.accountSelected("012345678901")).isTrue();
        assertThat(c.accountSelected("111122223333")).isFalse();
    }

    @Test
    void endpointAndFailOnAreNormalised() throws IOException {
        ScannerConfig c = new ConfigLoader().load(write("endpointUrl: http://127.0.0.1:5000\nfailOn: medium\n"));
        assertThat(c.endpointUrl()).isEqualTo(URI.create("http://127.0.0.1:5000"));
        assertThat(c.failOn()).isEqualTo("MEDIUM");
    }

    @Test
    void unknownKeyNamesFileLineAndKey() throws IOException {
        Path f = write("roleName: Audit\nregionz: [us-east-1]\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":2: unknown key `regionz` (known keys: accounts, ");
    }

    @Test
    void wrongTypeNamesFileLineAndField() throws IOException {
        Path f = write("roleName: Audit\n\nconcurrency: eight\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + ":3: concurrency: wrong type: expected a whole number");
    }

    @Test
    void outOfRangeValueNamesFileLineAndField() throws IOException {
        Path f = write("concurrency: 0\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .hasMessage(f + ":1: concurrency: must be between 1 and 256, got 0");
    }

    @Test
    void aNumberBeyondIntGivesTheKeysRange() throws IOException {
        Path f = write("roleName: Audit\ncallTimeoutSeconds: 99999999999\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2: callTimeoutSeconds: must be between 1 and 600, got 99999999999");
    }

    @Test
    void aKeyGivenTwiceNamesFileLineAndKey() throws IOException {
        Path f = write("regions: [us-east-1]\nroleName: Audit\nregions: [eu-west-1]\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + ":3: key `regions` given twice (remove one)");
        Path nested = write("accounts:\n  include: [\"111111111111\"]\n  include: [\"222222222222\"]\n");
        assertThatThrownBy(() -> new ConfigLoader().load(nested))
                .isInstanceOf(ConfigException.class)
                .hasMessage(nested + ":3: key `include` given twice (remove one)");
    }

    @Test
    void badAccountIdIsRejected() throws IOException {
        Path f = write("accounts:\n  exclude: [\"12345\"]\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .hasMessage(f + ":3: exclude: account ids are 12 digits in quotes, got `12345`".replace(":3:", ":2:"));
    }

    @Test
    void badRegionAndSeverityAreRejected() throws IOException {
        Path r = write("regions: [mars-1]\n");
        assertThatThrownBy(() -> new ConfigLoader().load(r))
                .hasMessage(r + ":1: regions: not an AWS region name: `mars-1` (e.g. us-east-1)");
        Path s = write("failOn: SEVERE\n");
        assertThatThrownBy(() -> new ConfigLoader().load(s))
                .hasMessage(s + ":1: failOn: must be one of [CRITICAL, HIGH, MEDIUM, LOW, INFO, NONE], got `SEVERE`");
    }

    @Test
    void invalidYamlIsReportedWithItsLine() throws IOException {
        Path f = write("roleName: Audit\nregions: [us-east-1\n");
        assertThatThrownBy(() -> new ConfigLoader().load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void missingFileIsReported() {
        Path f = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> new ConfigLoader().load(f)).hasMessage(f + ": config file not found");
    }
}
