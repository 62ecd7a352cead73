package io.cmkaudit.testing;

import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.ProgressListener;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.nio.file.Path;
import java.util.List;

/**
 * Regenerates {@code samples/sample-org.snapshot.json}: starts moto_server, seeds {@link SampleOrganization}, runs the
 * real collector and writes the snapshot. Run by {@code scripts/generate-sample}; not a test.
 */
public final class GenerateSample {
    private GenerateSample() {
    }

    /**
     * Seeds moto and collects the sample organization.
     *
     * @param moto a running moto_server (reset first)
     * @return the snapshot
     */
    public static Snapshot collect(MotoServer moto) {
        // the collector reads through the test proxy, which answers what moto lacks: the launch failure AWS would
        // have recorded (SampleOrganization#recordedFailures: DescribeScalingActivities), and, from the Identity
        // Center seeder's record, what moto's sso-admin lacks (ListAccountsForProvisionedPermissionSet: the accounts
        // of the assignments; GetPermissionsBoundaryForPermissionSet)
        try (OrgSeeder org = new OrgSeeder(moto.endpoint());
             IdentityCenterSeeder idc = SampleOrganization.seed(org, moto.endpoint());
             AwsProxy proxy = AwsProxy.start(moto.endpoint(), java.time.Duration.ZERO, r -> false, r -> {
                 AwsProxy.Answer launch = SampleOrganization.recordedFailures(r);
                 return launch != null ? launch : idc.answer(r);
             })) {
            ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit",
                    SampleOrganization.REGIONS, List.of(), List.of(), 4, "HIGH", Path.of("out"), proxy.endpoint(), 30,
                    false);
            return new Collector(config, new CollectorOptions(io.cmkaudit.cli.VersionProvider.version(), false,
                    OrgSeeder.MANAGEMENT_CREDENTIALS)).collect(ProgressListener.NONE);
        }
    }

    /**
     * @param args optional output file; default {@code samples/sample-org.snapshot.json} of the repository
     */
    public static void main(String[] args) {
        System.setProperty("aws.disableEc2Metadata", "true");
        Path out = args.length > 0 ? Path.of(args[0]) : Path.of("samples", "sample-org.snapshot.json");
        try (MotoServer moto = MotoServer.start()) {
            Snapshot s = collect(moto);
            SnapshotJson.write(s, out);
            System.err.println("wrote " + out.toAbsolutePath() + ": " + s.accounts().size() + " accounts, "
                    + s.allKmsKeys().count() + " KMS keys, " + s.run().totalApiCalls() + " API calls");
        }
    }
}
