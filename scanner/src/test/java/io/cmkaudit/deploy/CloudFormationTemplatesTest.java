package io.cmkaudit.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CloudFormation template under {@code config/} passes AWS's CloudFormation Linter
 * (<a href="https://github.com/aws-cloudformation/cfn-lint">cfn-lint</a>, which checks templates against the
 * CloudFormation resource specification and schemas,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-resource-specification.html: resource types,
 * property names, shapes and required properties, {@code Ref}/{@code Fn::GetAtt}/{@code Fn::Sub} targets,
 * conditions, IAM policy documents...) in a region of each partition the scanner supports ({@code aws},
 * {@code aws-us-gov}, {@code aws-cn}), with no error and no warning. A check a template must skip says so in the
 * template's own {@code Metadata: cfn-lint} block, next to the reason.
 *
 * <p>cfn-lint is a Python package that comes with {@code moto[server]}, which the tests need anyway ({@code .ci/run}
 * installs it when missing); the test FAILS, never skips, when it is not on the PATH nor in
 * {@code $HOME/.pyenv/shims}.
 */
class CloudFormationTemplatesTest {

    /** One region per partition: commercial, GovCloud (US), China. */
    static final List<String> REGIONS = List.of("us-east-1", "us-gov-west-1", "cn-north-1");

    static Path configDir() {
        return Path.of("").toAbsolutePath().getParent().resolve("config");
    }

    static List<Path> templates() throws IOException {
        try (Stream<Path> s = Files.walk(configDir())) {
            return s.filter(f -> f.toString().endsWith(".cfn.yaml") || f.toString().endsWith(".cfn.yml")).sorted()
                    .toList();
        }
    }

    /** cfn-lint from the PATH, then {@code $HOME/.pyenv/shims}. */
    static Path cfnLint() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.add(Path.of(System.getProperty("user.home"), ".pyenv", "shims"));
        Optional<Path> found = dirs.stream().map(d -> d.resolve("cfn-lint")).filter(Files::isExecutable).findFirst();
        assertThat(found).as("cfn-lint (installed with moto[server]: pip install 'moto[server]' cfn-lint) on the PATH "
                + "or in $HOME/.pyenv/shims").isPresent();
        return found.get();
    }

    record Lint(int exitCode, String output) {
    }

    /** Runs cfn-lint in its one-line-per-problem format ({@code file:line:col:endline:endcol:rule:message}). */
    static Lint lint(List<Path> files) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cfnLint().toString(), "--format", "parseable", "--regions"));
        cmd.addAll(REGIONS);
        cmd.add("--");
        files.forEach(f -> cmd.add(f.toString()));
        Path out = Files.createTempFile("cfn-lint", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("cfn-lint did not finish in 5 minutes: " + cmd);
            }
            return new Lint(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void everyTemplateUnderConfigPassesCfnLintInEveryPartition() throws Exception {
        List<Path> files = templates();
        assertThat(files).extracting(f -> f.getFileName().toString())
                .contains("audit-role.cfn.yaml", "scanner.cfn.yaml", "distributed-scan.cfn.yaml");
        Lint r = lint(files);
        // exit code 0: no error (2), warning (4) or informational (8) finding
        assertThat(r.output()).isEmpty();
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void cfnLintFindsWhatCloudFormationWouldReject(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.cfn.yaml");
        Files.writeString(bad, """
                Parameters:
                  Name: {Type: String}
                Resources:
                  Bucket:
                    Type: AWS::S3::Bucket
                    Properties:
                      VersioningConfiguration: {Statuss: Enabled}
                      Tags: {Key: x}
                  Thing:
                    Type: AWS::Nope::Thing
                  Schedule:
                    Type: AWS::Scheduler::Schedule
                    Condition: Missing
                    Properties:
                      ScheduleExpression: !Ref Nowhere
                      Target: {Arn: !GetAtt Bucket.NoSuchAttribute, RoleArn: !Sub "${Name}-${Unknown}"}
                """);
        Lint r = lint(List.of(bad));
        assertThat(r.exitCode() & 2).as("error bit of cfn-lint's exit code: " + r.output()).isEqualTo(2);
        List<String> rules = r.output().lines().map(l -> l.split(":")[5]).distinct().toList();
        // unknown property, missing required property, wrong shape, unknown type, undeclared condition,
        // Ref / GetAtt / Sub naming nothing
        assertThat(rules).contains("E3002", "E3003", "E3012", "E3006", "E3015", "E1020", "E1010", "E1019");
        assertThat(r.output()).contains("'Statuss' was unexpected", "'FlexibleTimeWindow' is a required property",
                "'Nowhere' is not one of", "'Unknown' is not one of");
    }

    /**
     * RunMode=distributed nests distributed-scan.cfn.yaml in the scanner stack: cfn-lint reads the local nested
     * template and checks the parameters passed to it (E3043), so a parameter the nested stack does not declare, or
     * a required one left out, fails the lint of the real templates above. Shown here on copies with one of each.
     */
    @Test
    void theNestedDistributedStackGetsExactlyTheParametersItDeclares(@TempDir Path dir) throws Exception {
        Path deploy = configDir().resolve("deploy");
        String scanner = Files.readString(deploy.resolve("scanner.cfn.yaml"));
        assertThat(scanner).contains("TemplateURL: distributed-scan.cfn.yaml", "Condition: Distributed",
                "AllowedValues: [single-task, distributed]");
        Files.copy(deploy.resolve("distributed-scan.cfn.yaml"), dir.resolve("distributed-scan.cfn.yaml"));
        Files.copy(deploy.resolve("distributed-scan.asl.json"), dir.resolve("distributed-scan.asl.json"));
        String passed = "        TaskRoleName: !Ref TaskRole\n";
        assertThat(scanner).contains(passed);
        Path bad = dir.resolve("scanner.cfn.yaml");
        Files.writeString(bad, scanner.replace(passed, "        TaskRole: !Ref TaskRole\n"));
        Lint r = lint(List.of(bad));
        assertThat(r.exitCode() & 2).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("E3043").contains("\"TaskRoleName\" is not specified")
                .contains("\"TaskRole\" doesn't exist in nested stack template");
        Files.writeString(bad, scanner);
        assertThat(lint(List.of(bad)).output()).isEmpty();
    }
}
