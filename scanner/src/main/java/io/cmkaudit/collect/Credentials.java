package io.cmkaudit.collect;

import io.cmkaudit.config.ScannerConfig;
import java.util.Optional;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The scanner's own credentials and home region, as the AWS CLI finds them.
 *
 * <ul>
 *   <li>No profile: the SDK's default chain — system properties, environment ({@code AWS_ACCESS_KEY_ID}...),
 *       web identity ({@code AWS_WEB_IDENTITY_TOKEN_FILE} + {@code AWS_ROLE_ARN}: EKS IRSA), the profile named by
 *       {@code AWS_PROFILE} (or {@code default}), ECS container credentials ({@code AWS_CONTAINER_CREDENTIALS_*}),
 *       EC2 instance metadata
 *       (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/credentials-chain.html).</li>
 *   <li>{@code --profile NAME}: that profile of {@code ~/.aws/config} / {@code ~/.aws/credentials} (or
 *       {@code AWS_CONFIG_FILE} / {@code AWS_SHARED_CREDENTIALS_FILE}): static keys, {@code role_arn} with
 *       {@code source_profile} or {@code credential_source}, {@code credential_process}, {@code web_identity_token_file},
 *       and IAM Identity Center ({@code sso_session} / {@code sso_start_url}: the {@code sso} and {@code ssooidc}
 *       modules are on the class path; run {@code aws sso login --profile NAME} first)
 *       (https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html).</li>
 *   <li>Home region: {@code --region}, else the SDK's region chain ({@code aws.region}, {@code AWS_REGION}, the
 *       profile's {@code region}, instance metadata), else {@code us-east-1}.</li>
 * </ul>
 */
public final class Credentials {

    private Credentials() {
    }

    /**
     * @param profile profile name, or null for the default chain
     * @return the credentials provider (not yet resolved)
     * @throws CollectException when the profile is named but exists in neither file
     */
    static AwsCredentialsProvider provider(String profile) {
        if (profile == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        ProfileFile files = ProfileFile.defaultProfileFile();
        if (files.profile(profile).isEmpty()) {
            throw new CollectException("--profile " + profile + ": no such profile in the AWS config or credentials "
                    + "file (profiles there: " + String.join(", ", new TreeSet<>(files.profiles().keySet()))
                    + "; files: AWS_CONFIG_FILE / ~/.aws/config and AWS_SHARED_CREDENTIALS_FILE / ~/.aws/credentials)");
        }
        return ProfileCredentialsProvider.builder().profileName(profile).build();
    }

    /**
     * Describes a profile's credential source, for the error line and the run manifest.
     *
     * @param profile profile name
     * @return e.g. {@code IAM Identity Center (SSO)}, {@code role_arn}, {@code static keys}; empty when there is no
     *         such profile
     */
    public static Optional<String> profileKind(String profile) {
        Optional<Profile> p = ProfileFile.defaultProfileFile().profile(profile);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        Profile pr = p.get();
        if (pr.property(ProfileSection.SSO_SESSION).isPresent() || pr.property(ProfileProperty.SSO_START_URL).isPresent()) {
            return Optional.of("IAM Identity Center (SSO)");
        }
        if (pr.property(ProfileProperty.ROLE_ARN).isPresent()) {
            return Optional.of(pr.property(ProfileProperty.WEB_IDENTITY_TOKEN_FILE).isPresent() ? "web identity"
                    : "role_arn");
        }
        if (pr.property(ProfileProperty.CREDENTIAL_PROCESS).isPresent()) {
            return Optional.of("credential_process");
        }
        if (pr.property(ProfileProperty.AWS_ACCESS_KEY_ID).isPresent()) {
            return Optional.of("static keys");
        }
        return Optional.of("no credentials");
    }

    /** The property naming an {@code [sso-session NAME]} section. */
    private static final class ProfileSection {
        static final String SSO_SESSION = "sso_session";
    }

    /**
     * @param config the effective configuration ({@code region}, {@code profile}, {@code endpointUrl})
     * @return the home region: the configured one, else the SDK's region chain (for the profile when one is named),
     *         else {@code us-east-1}
     */
    public static Region homeRegion(ScannerConfig config) {
        return homeRegionOf(config);
    }

    /**
     * @param config the effective configuration
     * @return the name of {@link #homeRegion(ScannerConfig)}, e.g. {@code us-gov-west-1}
     */
    public static String homeRegionName(ScannerConfig config) {
        return homeRegionOf(config).id();
    }

    /**
     * The region of the SDK's default region chain (system property {@code aws.region}, {@code AWS_REGION}, the
     * default profile; https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/region-selection.html).
     *
     * @return the region name, or null when none is configured
     */
    public static String defaultRegionOrNull() {
        try {
            Region r = new DefaultAwsRegionProviderChain().getRegion();
            return r == null ? null : r.id();
        } catch (SdkException | IllegalStateException e) {
            return null;
        }
    }

    private static Region homeRegionOf(ScannerConfig config) {
        if (config.region() != null) {
            return Region.of(config.region());
        }
        try {
            DefaultAwsRegionProviderChain.Builder b = DefaultAwsRegionProviderChain.builder();
            if (config.profile() != null) {
                b.profileName(config.profile());
            }
            Region r = b.build().getRegion();
            if (r != null) {
                return r;
            }
        } catch (SdkException | IllegalStateException e) {
            // no region configured anywhere: the commercial partition's default
        }
        return Region.US_EAST_1;
    }

    /**
     * The one-line error for a failed {@code sts:GetCallerIdentity}: the SDK's whole message (every provider of the
     * chain and why it gave nothing, never cut), then what to do.
     *
     * @param e      the failure
     * @param f      the failure reduced by {@link AwsFailure}
     * @param config the effective configuration
     * @param home   the home region STS was called in
     * @return the message, one line
     */
    static String explain(SdkException e, AwsFailure f, ScannerConfig config, Region home) {
        String whole = wholeMessage(e);
        String source = config.profile() != null ? "profile " + config.profile()
                + profileKind(config.profile()).map(k -> " (" + k + ")").orElse("")
                : System.getenv("AWS_PROFILE") != null ? "profile " + System.getenv("AWS_PROFILE") + " (AWS_PROFILE)"
                : "the default credential chain";
        StringBuilder what = new StringBuilder();
        boolean sso = whole.contains("SSO") || whole.contains("sso") || whole.contains("token");
        if (sso && (config.profile() != null || System.getenv("AWS_PROFILE") != null)) {
            what.append("run `aws sso login --profile ").append(config.profile() != null ? config.profile()
                    : System.getenv("AWS_PROFILE")).append("` and try again");
        } else if ("ClientError".equals(f.code())) {
            what.append("give the scanner credentials: --profile NAME (or AWS_PROFILE; for an IAM Identity Center "
                    + "profile run `aws sso login --profile NAME` first), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    + "or a role of the environment (ECS task role, EKS IRSA, EC2 instance profile)");
        } else {
            what.append("the credentials were refused by STS in ").append(home.id()).append(": check they are current");
            if (!"aws".equals(Partitions.ofRegion(home.id())) || config.region() == null) {
                what.append(" and belong to the partition of the home region (AWS GovCloud (US) or China credentials "
                        + "need --region, e.g. us-gov-west-1 or cn-north-1)");
            }
        }
        return "cannot use the scanner's own AWS credentials from " + source + " (" + f.code() + "): " + whole
                + (config.endpointUrl() == null ? "" : " [endpoint " + config.endpointUrl() + "]") + "; " + what;
    }

    /** The message of the exception and its causes, flattened to one line, never shortened. */
    static String wholeMessage(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(" <- ");
                }
                sb.append(m);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
