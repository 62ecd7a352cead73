package io.cmkaudit.collect;

import io.cmkaudit.config.ScannerConfig;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * One credentials session per account, opened at most once per run and shared by the account scan and the KMS key
 * reads. A session assumes the audit role through {@link StsAssumeRoleCredentialsProvider}, which refreshes the
 * credentials before they expire (role chaining caps a session at one hour; large scans run longer)
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining). The
 * scanner's own account uses the scanner's credentials unless {@code scanCurrentAccountWithRole} is set.
 */
final class Sessions implements AutoCloseable {

    /** An account's credentials, or why there are none. */
    record Session(String accountId, AwsCredentialsProvider credentials, AwsFailure failure) {
        boolean ok() {
            return credentials != null;
        }
    }

    private final StsClient sts;
    private final AwsCredentialsProvider base;
    private final String callerAccountId;
    private final String partition;
    private final ScannerConfig config;
    private final Map<String, CompletableFuture<Session>> sessions = new ConcurrentHashMap<>();

    Sessions(StsClient sts, AwsCredentialsProvider base, String callerAccountId, String partition, ScannerConfig config) {
        this.sts = sts;
        this.base = base;
        this.callerAccountId = callerAccountId;
        this.partition = partition;
        this.config = config;
    }

    /**
     * Opens (once) and returns the session of an account. Never throws.
     *
     * @param accountId 12-digit account id
     * @return the session; {@link Session#ok()} false when the role could not be assumed
     */
    Session session(String accountId) {
        CompletableFuture<Session> mine = new CompletableFuture<>();
        CompletableFuture<Session> existing = sessions.putIfAbsent(accountId, mine);
        if (existing != null) {
            return existing.join();
        }
        Session s = open(accountId);
        mine.complete(s);
        return s;
    }

    private Session open(String accountId) {
        if (accountId.equals(callerAccountId) && !config.scanCurrentAccountWithRole()) {
            return new Session(accountId, base, null);
        }
        String roleArn = Arns.role(partition, accountId, config.roleName());
        StsAssumeRoleCredentialsProvider provider = StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                .asyncCredentialUpdateEnabled(false)
                .refreshRequest(r -> {
                    r.roleArn(roleArn).roleSessionName(config.sessionName());
                    if (config.externalId() != null) {
                        r.externalId(config.externalId());
                    }
                })
                .build();
        try {
            provider.resolveCredentials();
            return new Session(accountId, provider, null);
        } catch (SdkException | IllegalStateException e) {
            provider.close();
            AwsFailure f = AwsFailure.of("STS.AssumeRole", e);
            return new Session(accountId, null, new AwsFailure(f.operation(), f.code(),
                    "STS.AssumeRole " + roleArn + ": " + f.message().substring(f.operation().length() + 2), f.denied()));
        }
    }

    @Override
    public void close() {
        for (CompletableFuture<Session> f : sessions.values()) {
            Session s = f.getNow(null);
            if (s != null && s.credentials() instanceof StsAssumeRoleCredentialsProvider p) {
                p.close();
            }
        }
    }
}
