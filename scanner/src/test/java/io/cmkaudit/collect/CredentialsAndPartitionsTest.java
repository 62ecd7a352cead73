package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.config.ScannerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/**
 * Profiles (static, role, IAM Identity Center), the SSO modules' presence, home regions and partitions. Profiles are
 * read from a temporary config file named by the {@code aws.configFile} / {@code aws.sharedCredentialsFile} system
 * properties (the SDK's equivalents of {@code AWS_CONFIG_FILE} / {@code AWS_SHARED_CREDENTIALS_FILE}).
 */
class CredentialsAndPartitionsTest {

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("aws.configFile");
        System.clearProperty("aws.sharedCredentialsFile");
    }

    private void profiles(String config) throws Exception {
        Path cfg = dir.resolve("config");
        Files.writeString(cfg, config);
        Path creds = dir.resolve("credentials");
        Files.writeString(creds, "");
        System.setProperty("aws.configFile", cfg.toString());
        System.setProperty("aws.sharedCredentialsFile", creds.toString());
    }

    static final String CONFIG = """
            [profile gov-sso]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = AuditReadOnly
            region = us-gov-west-1

            [sso-session corp]
            sso_start_url = https://start.us-gov-home.awsapps.com/directory/d-0000000000
            sso_region = us-gov-west-1
            sso_registration_scopes = sso:account:access

            [profile legacy-sso]
            sso_start_url = https://d-0000000000.awsapps.com/start
            sso_region = us-east-1
            sso_account_id = 111122223333
            sso_role_name = AuditReadOnly

            [profile keys]
            aws_access_key_id = AKIDEXAMPLE
            aws_secret_access_key = secret
            region = cn-north-1

            [profile chained]
            role_arn = arn:aws-us-gov:iam::111122223333:role/cmk-audit-scanner
            source_profile = keys
            """;

    @Test
    void ssoProfilesAreParsedAndTheSsoModulesAreOnTheClassPath() throws Exception {
        // the modules the SDK loads by reflection for sso_* profiles
        assertThat(Class.forName("software.amazon.awssdk.services.sso.SsoClient")).isNotNull();
        assertThat(Class.forName("software.amazon.awssdk.services.sso.auth.SsoProfileCredentialsProviderFactory"))
                .isNotNull();
        assertThat(Class.forName("software.amazon.awssdk.services.ssooidc.SsoOidcClient")).isNotNull();
        profiles(CONFIG);
        assertThat(Credentials.profileKind("gov-sso")).contains("IAM Identity Center (SSO)");
        assertThat(Credentials.profileKind("legacy-sso")).contains("IAM Identity Center (SSO)");
        assertThat(Credentials.profileKind("keys")).contains("static keys");
        assertThat(Credentials.profileKind("chained")).contains("role_arn");
        assertThat(Credentials.profileKind("nope")).isEmpty();
        // without a cached token the SSO provider asks for `aws sso login`, not for a module on the class path
        try (ProfileCredentialsProvider p = (ProfileCredentialsProvider) Credentials.provider("gov-sso")) {
            assertThatThrownBy(p::resolveCredentials)
                    .isInstanceOf(SdkClientException.class)
                    .satisfies(e -> assertThat(Credentials.wholeMessage(e)).doesNotContain("class path")
                            .doesNotContain("classpath"));
        }
    }

    @Test
    void staticProfileGivesItsKeysAndItsRegionIsTheHomeRegion() throws Exception {
        profiles(CONFIG);
        try (ProfileCredentialsProvider p = (ProfileCredentialsProvider) Credentials.provider("keys")) {
            assertThat(p.resolveCredentials().accessKeyId()).isEqualTo("AKIDEXAMPLE");
        }
        ScannerConfig c = ScannerConfig.DEFAULTS.withProfileAndRegion("keys", null);
        assertThat(Credentials.homeRegion(c)).isEqualTo(Region.CN_NORTH_1);
        assertThat(Credentials.homeRegion(ScannerConfig.DEFAULTS.withProfileAndRegion("keys", "cn-northwest-1")))
                .isEqualTo(Region.CN_NORTHWEST_1);
    }

    @Test
    void anUnknownProfileIsOneLineNamingTheProfilesThere() throws Exception {
        profiles(CONFIG);
        assertThatThrownBy(() -> Credentials.provider("prod"))
                .isInstanceOf(CollectException.class)
                .hasMessageStartingWith("--profile prod: no such profile")
                .hasMessageContaining("chained, gov-sso, keys, legacy-sso")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theWholeChainMessageIsKeptOnOneLine() {
        SdkClientException e = SdkClientException.create("Unable to load credentials from any of the providers in "
                + "the chain: [EnvironmentVariableCredentialsProvider(): Unable to load credentials from system "
                + "settings.\n WebIdentityTokenCredentialsProvider(): Either the environment variable "
                + "AWS_WEB_IDENTITY_TOKEN_FILE or the javaproperty aws.webIdentityTokenFile must be set., "
                + "ContainerCredentialsProvider(): Cannot fetch credentials from container - neither "
                + "AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI environment variables "
                + "are set., InstanceProfileCredentialsProvider(): Failed to load credentials from IMDS.]");
        AwsFailure f = AwsFailure.of("STS.GetCallerIdentity", e);
        String line = Credentials.explain(e, f, ScannerConfig.DEFAULTS, Region.US_EAST_1);
        assertThat(line).doesNotContain("\n").contains("InstanceProfileCredentialsProvider(): Failed to load "
                + "credentials from IMDS.", "ContainerCredentialsProvider(): Cannot fetch credentials from container")
                .contains("--profile NAME", "aws sso login", "AWS_ACCESS_KEY_ID");
        assertThat(line.length()).isGreaterThan(400);
    }

    @Test
    void regionsAreCheckedAgainstTheSdksRegionList() {
        assertThat(Partitions.problems(List.of("us-east-1", "eu-west-1"))).isEmpty();
        assertThat(Partitions.problems(List.of("us-gov-west-1", "us-gov-east-1"))).isEmpty();
        assertThat(Partitions.problems(List.of("cn-north-1", "cn-northwest-1"))).isEmpty();
        assertThat(Partitions.problems(List.of("us-east-9"))).singleElement().asString()
                .startsWith("unknown region `us-east-9` (known: us-east-1, us-east-2");
        assertThat(Partitions.problems(List.of("us-east-1", "cn-north-1"))).singleElement().asString()
                .contains("different partitions [aws, aws-cn]");
        assertThat(Partitions.knownRegions()).contains("us-gov-west-1", "cn-northwest-1", "eu-central-1")
                .noneMatch(r -> r.contains("global"));
    }

    @Test
    void globalServicesAreCalledInThePartitionsRegions() {
        assertThat(Partitions.ofRegion("us-gov-east-1")).isEqualTo("aws-us-gov");
        assertThat(Partitions.ofRegion("cn-northwest-1")).isEqualTo("aws-cn");
        assertThat(Partitions.ofRegion("eu-west-3")).isEqualTo("aws");
        assertThat(Partitions.iamRegion("aws", Region.EU_WEST_1)).isEqualTo(Region.US_EAST_1);
        assertThat(Partitions.iamRegion("aws-us-gov", Region.US_GOV_EAST_1)).isEqualTo(Region.US_GOV_WEST_1);
        assertThat(Partitions.iamRegion("aws-cn", Region.CN_NORTHWEST_1)).isEqualTo(Region.CN_NORTH_1);
        assertThat(Partitions.organizationsRegion("aws-cn", Region.CN_NORTH_1)).isEqualTo(Region.CN_NORTHWEST_1);
        assertThat(Partitions.organizationsRegion("aws-us-gov", Region.US_GOV_EAST_1)).isEqualTo(Region.US_GOV_WEST_1);
        assertThat(Partitions.organizationsRegion("aws", Region.AP_SOUTH_1)).isEqualTo(Region.US_EAST_1);
    }
}
