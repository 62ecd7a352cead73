package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The EBS default key is read into the snapshot's {@code kmsKeys} even when no volume uses it, and an unusable one
 * gives EBS_DEFAULT_KEY_UNUSABLE. moto answers {@code GetEbsDefaultKmsKeyId} with HTTP 500 (architecture.md, moto
 * quirks), so the loopback proxy answers it with the response shape of
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsDefaultKmsKeyId.html; everything else is moto.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EbsDefaultKeyMotoTest {

    static final String EU = "eu-west-1";
    static final String US = "us-east-1";

    OrgSeeder org;
    AwsProxy proxy;
    OrgSeeder.Account app;
    OrgSeeder.Key euKey;
    OrgSeeder.Key usKey;
    String usAlias;
    Snapshot snapshot;

    @BeforeAll
    void seedAndCollect(MotoServer moto) {
        org = new OrgSeeder(moto.endpoint()).organization();
        app = org.account("app", "");
        euKey = app.key(EU, "ebs default eu").disable();
        usKey = app.key(US, "ebs default us").alias("alias/ebs-default").scheduleDeletion(7);
        usAlias = "arn:aws:kms:" + US + ":" + app.id() + ":alias/ebs-default";
        app.ebsEncryptionByDefault(EU, true).ebsEncryptionByDefault(US, true);

        proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, r -> {
            if (!r.isAction("GetEbsDefaultKmsKeyId")) {
                return null;
            }
            String keyId = EU.equals(r.region()) ? euKey.arn() : usAlias;
            return new AwsProxy.Answer(200, "text/xml;charset=UTF-8",
                    "<GetEbsDefaultKmsKeyIdResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                            + "<requestId>proxy</requestId><kmsKeyId>" + keyId + "</kmsKeyId>"
                            + "</GetEbsDefaultKmsKeyIdResponse>");
        });
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU, US),
                List.of(), List.of(), 2, "HIGH", Path.of("out"), proxy.endpoint(), 30, false);
        snapshot = new Collector(config, new CollectorOptions("9.9.9", false, OrgSeeder.MANAGEMENT_CREDENTIALS))
                .collect(ProgressListener.NONE);
    }

    @AfterAll
    void close() {
        if (proxy != null) {
            proxy.close();
        }
        if (org != null) {
            org.close();
        }
    }

    private RegionSnapshot region(String r) {
        return snapshot.account(app.id()).orElseThrow().region(r).orElseThrow();
    }

    @Test
    void defaultKeyWithoutVolumesIsReadIntoTheSnapshot() {
        RegionSnapshot eu = region(EU);
        assertThat(eu.ebsEncryptionByDefault()).isTrue();
        assertThat(eu.ebsDefaultKmsKeyId()).isEqualTo(euKey.arn());
        assertThat(eu.ebsDefaultKmsKeyArn()).isEqualTo(euKey.arn());
        assertThat(eu.volumes()).isEmpty();
        assertThat(eu.kmsKeys()).extracting(KmsKey::arn, KmsKey::keyState, KmsKey::keyManager)
                .containsExactly(tuple(euKey.arn(), "Disabled", "CUSTOMER"));

        RegionSnapshot us = region(US);
        assertThat(us.ebsEncryptionByDefault()).isTrue();
        assertThat(us.ebsDefaultKmsKeyId()).isEqualTo(usAlias);
        assertThat(us.ebsDefaultKmsKeyArn()).isEqualTo(usKey.arn());
        assertThat(us.kmsKeys()).extracting(KmsKey::arn, KmsKey::keyState, KmsKey::aliases)
                .containsExactly(tuple(usKey.arn(), "PendingDeletion", List.of("alias/ebs-default")));

        assertThat(snapshot.account(app.id()).orElseThrow().coverage())
                .filteredOn(c -> Set.of(EU, US).contains(c.region()))
                .extracting(c -> c.status()).containsExactly(CoverageStatus.SCANNED, CoverageStatus.SCANNED);
    }

    @Test
    void unusableDefaultKeysGiveOneFindingPerRegion() {
        List<Finding> fs = new Analyzer().analyze(snapshot).findings().stream()
                .filter(f -> f.type() == FindingType.EBS_DEFAULT_KEY_UNUSABLE).toList();

        assertThat(fs).extracting(Finding::severity, Finding::accountId, Finding::region, Finding::keyArn,
                Finding::keyState, Finding::instanceId, Finding::principalArn).containsExactly(
                tuple(Severity.CRITICAL, app.id(), US, usKey.arn(), "PendingDeletion", null, null),
                tuple(Severity.HIGH, app.id(), EU, euKey.arn(), "Disabled", null, null));
    }
}
