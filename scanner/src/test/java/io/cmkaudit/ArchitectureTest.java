package io.cmkaudit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package arrows of {@code docs/design/architecture.md}, enforced on the compiled main classes. No rule allows an
 * empty subject: a renamed or emptied package fails its rule instead of passing vacuously. Library classes are not
 * resolved from the class path ({@code archunit.properties}), which keeps this class fast.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.cmkaudit");

    @Test
    void everyPackageTheRulesNameHasClasses() {
        List<String> packages = MAIN.stream().map(JavaClass::getPackageName).distinct().toList();
        for (String p : List.of("cli", "config", "collect", "snapshot", "policy", "analysis", "report", "match",
                "shard")) {
            assertThat(packages).as("package io.cmkaudit." + p).anyMatch(n -> n.startsWith("io.cmkaudit." + p));
        }
    }

    @Test
    void policyDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("io.cmkaudit.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.snapshot..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "software.amazon.awssdk..")
                .check(MAIN);
    }

    /** The leaf every package may use (the one wildcard matcher, the one KMS action list) uses nothing of ours. */
    @Test
    void matchIsALeafThatDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("io.cmkaudit.match..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.snapshot..", "io.cmkaudit.policy..",
                        "io.cmkaudit.analysis..", "io.cmkaudit.report..")
                .check(MAIN);
        noClasses().that().resideInAPackage("io.cmkaudit.match..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.cmkaudit.match..", "java..")
                .check(MAIN);
    }

    @Test
    void snapshotDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("io.cmkaudit.snapshot..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.policy..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "software.amazon.awssdk..")
                .check(MAIN);
    }

    @Test
    void shardDependsOnlyOnSnapshot() {
        noClasses().that().resideInAPackage("io.cmkaudit.shard..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.policy..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "software.amazon.awssdk..")
                .check(MAIN);
    }

    @Test
    void onlyCollectUsesTheAwsSdk() {
        noClasses().that().resideOutsideOfPackage("io.cmkaudit.collect..")
                .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
                .check(MAIN);
    }

    @Test
    void collectionHandsDocumentsOnAsTextAndNeverParsesJson() {
        // Policy documents travel from AWS to the snapshot as text; parsing them is the policy engine's job, and every
        // JSON file format is owned by the package that defines it (snapshot, policy, config, report).
        noClasses().that().resideInAPackage("io.cmkaudit.collect..")
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson..")
                .check(MAIN);
    }

    @Test
    void analysisIsPureAndIndependentOfCollectionAndReports() {
        noClasses().that().resideInAPackage("io.cmkaudit.analysis..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.report..")
                .check(MAIN);
    }

    @Test
    void reportDependsOnlyOnAnalysisSnapshotAndTheLeaf() {
        noClasses().that().resideInAPackage("io.cmkaudit.report..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.policy..")
                .check(MAIN);
    }

    @Test
    void collectDoesNotReachAnalysisOrReports() {
        noClasses().that().resideInAPackage("io.cmkaudit.collect..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "io.cmkaudit.policy..")
                .check(MAIN);
    }

    @Test
    void nothingDependsOnTheCli() {
        noClasses().that().resideOutsideOfPackage("io.cmkaudit.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.cmkaudit.cli..")
                .check(MAIN);
    }

    @Test
    void javadocAndCommentsPointOnlyAtFilesInsideTheRepository() throws IOException {
        Path root = Path.of("src");
        try (Stream<Path> files = Files.walk(root)) {
            List<String> offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> read(f).contains(OUTSIDE))
                    .map(Path::toString).sorted().collect(Collectors.toList());
            assertThat(offenders).as("sources naming " + OUTSIDE + " (outside the repository: point at docs/design/ instead)").isEmpty();
        }
    }

    /** The shared folder beside the repository, spelled so that this file does not name it. */
    private static final String OUTSIDE = ".." + "/shared/";

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
