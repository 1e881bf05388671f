package dev.hotline.layout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The data flow is visible in the packages: source -> cluster -> endpoints -> plan -> dataplane,
 * and nothing flows back. These rules fail the build when a change makes a package depend on one
 * downstream of it, or closes a cycle.
 */
class PackageLayoutTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hotline");

    @Test
    void noPackageCycles() {
        slices().matching("dev.hotline.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theModelDoesNotKnowWhereItComesFromOrWhereItGoes() {
        noClasses().that().resideInAnyPackage("dev.hotline.cluster..", "dev.hotline.endpoints..", "dev.hotline.plan..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hotline.source..", "dev.hotline.dataplane..",
                        "dev.hotline.agent..", "dev.hotline.reconcile..", "dev.hotline.cli..", "dev.hotline.bpf..", "dev.hotline.replay..", "dev.hotline.live..")
                .check(CLASSES);
    }

    @Test
    void theDataplaneContractDependsOnNeitherImplementation() {
        noClasses().that().resideInAPackage("dev.hotline.dataplane")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hotline.dataplane.bpf..",
                        "dev.hotline.dataplane.userspace..", "dev.hotline.dataplane.select..", "dev.hotline.bpf..")
                .check(CLASSES);
    }

    @Test
    void theUserspaceTwinNeedsNoNativeCode() {
        noClasses().that().resideInAPackage("dev.hotline.dataplane.userspace..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hotline.bpf..", "dev.hotline.dataplane.bpf..")
                .check(CLASSES);
    }

    @Test
    void theLiveCaptureRunsWhereBpfCannot() {
        noClasses().that().resideInAPackage("dev.hotline.live..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hotline.bpf..", "dev.hotline.dataplane.bpf..")
                .check(CLASSES);
    }

    @Test
    void theAgentRunsOverTheDataplaneInterface() {
        noClasses().that().resideInAnyPackage("dev.hotline.agent..", "dev.hotline.reconcile..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hotline.dataplane.bpf..",
                        "dev.hotline.dataplane.userspace..", "dev.hotline.bpf..")
                .check(CLASSES);
    }
}
