package io.cmkaudit.cli;

import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit explain SNAPSHOT --principal ARN --instance ID}: prints, layer by layer, why the principal can or
 * cannot start the instance (StartInstances, then EC2's CreateGrant on each key, the instance role's Decrypt, the key
 * state) and the least-privilege fix: the fix of the report's finding that lists the principal, key and instance
 * (for an IAM Identity Center reserved role, its permission set's), and for a key that is not Enabled also what
 * denies once it is Enabled ({@code Analyzer#explain}).
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = {"Explain, layer by layer, why a principal can or cannot start an instance of a snapshot, and "
            + "what would fix it. Without SNAPSHOT (or with --sample) the embedded sample organization is used.",
            "The fix is the report's: the finding that lists this principal, key and instance, with what it covers "
            + "and its snippet (for an IAM Identity Center AWSReservedSSO_* role, its permission set's inline "
            + "policy). For a key that is not Enabled it also says what would deny once the key is Enabled, with "
            + "that fix."})
final class ExplainCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "SNAPSHOT",
            description = "Snapshot file written by `cmk-audit collect` (a local file: copy an S3 object first).")
    String snapshot;

    @Option(names = "--sample", description = "Use the sample organization embedded in the jar.")
    boolean sample;

    @Option(names = "--principal", required = true, paramLabel = "ARN",
            description = "IAM user or role ARN; also a role's session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/"
                + "SESSION, as `aws sts get-caller-identity` and CloudTrail show it) or a role ARN without its path.")
    String principal;

    @Option(names = "--instance", required = true, paramLabel = "ID", description = "EC2 instance id, e.g. i-0abc.")
    String instance;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (sample && snapshot != null) {
            throw new UsageException("give either SNAPSHOT or --sample, not both");
        }
        if (snapshot != null && io.cmkaudit.collect.S3Objects.S3Url.is(snapshot)) {
            throw new UsageException("SNAPSHOT: `" + snapshot + "`: explain reads local files only; copy it to a file "
                    + "first (aws s3 cp " + snapshot + " .)");
        }
        Snapshot s = SnapshotSource.load(snapshot == null ? null : Path.of(snapshot));
        String text;
        try {
            text = new Analyzer().explain(s, principal, instance);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
