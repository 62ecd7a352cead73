package io.cmkaudit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The package arrows of architecture.md, enforced on the compiled main classes. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cmkaudit");

    @Test
    void policyDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("io.cmkaudit.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.snapshot..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "software.amazon.awssdk..")
                .allowEmptyShould(true).check(MAIN);
    }

    @Test
    void snapshotDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("io.cmkaudit.snapshot..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.policy..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "software.amazon.awssdk..")
                .allowEmptyShould(true).check(MAIN);
    }

    @Test
    void onlyCollectUsesTheAwsSdk() {
        noClasses().that().resideOutsideOfPackage("io.cmkaudit.collect..")
                .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
                .allowEmptyShould(true).check(MAIN);
    }

    @Test
    void analysisIsPureAndIndependentOfCollectionAndReports() {
        noClasses().that().resideInAPackage("io.cmkaudit.analysis..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.report..")
                .allowEmptyShould(true).check(MAIN);
    }

    @Test
    void reportDependsOnlyOnAnalysisAndSnapshot() {
        noClasses().that().resideInAPackage("io.cmkaudit.report..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.config..",
                        "io.cmkaudit.collect..", "io.cmkaudit.policy..")
                .allowEmptyShould(true).check(MAIN);
    }

    @Test
    void collectDoesNotReachAnalysisOrReports() {
        noClasses().that().resideInAPackage("io.cmkaudit.collect..")
                .should().dependOnClassesThat().resideInAnyPackage("io.cmkaudit.cli..", "io.cmkaudit.analysis..",
                        "io.cmkaudit.report..", "io.cmkaudit.policy..")
                .allowEmptyShould(true).check(MAIN);
    }

    @Test
    void nothingDependsOnTheCli() {
        noClasses().that().resideOutsideOfPackage("io.cmkaudit.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.cmkaudit.cli..")
                .allowEmptyShould(true).check(MAIN);
    }
}
