package com.fulcrumscim;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.fulcrumscim.scim.ScimException;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The package tree tells the story; these rules keep it true. */
class ArchitectureTest {
  static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.fulcrumscim");

  @Test
  void theFulcrumSideKnowsNothingOfScimOrTheStore() {
    noClasses().that().resideInAPackage("..fulcrum..")
        .should().dependOnClassesThat().resideInAnyPackage("..scim..", "..journal..", "..reconcile..", "..db..", "..cli..", "..app..")
        .check(MAIN);
  }

  @Test
  void theScimProtocolNeverCallsFulcrum() {
    noClasses().that().resideInAPackage("..scim..")
        .should().dependOnClassesThat().resideInAnyPackage("..fulcrum..", "..reconcile..", "..cli..")
        .check(MAIN);
  }

  @Test
  void theDatabaseLayerStandsAlone() {
    noClasses().that().resideInAPackage("com.fulcrumscim.db..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "..scim..", "..journal..", "..reconcile..", "..fulcrum..", "..cli..", "..app..", "..config..", "..ops..")
        .check(MAIN);
  }

  @Test
  void onlyTheCommandLineDependsOnTheCommandLine() {
    noClasses().that().resideOutsideOfPackage("..cli..")
        .should().dependOnClassesThat().resideInAPackage("..cli..")
        .check(MAIN);
  }

  @Test
  void configIsALeaf() {
    noClasses().that().resideInAPackage("..config..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "..scim..", "..journal..", "..reconcile..", "..fulcrum..", "..cli..", "..app..", "..db..", "..ops..")
        .check(MAIN);
  }

  @Test
  void noPackageCycles() {
    slices().matching("com.fulcrumscim.(**)").should().beFreeOfCycles()
        // removed on trust-scim: journal -> scim through ScimException and the field helpers, and the
        // scim subpackages -> scim through ScimException
        .ignoreDependency(resideInAPackage("com.fulcrumscim.journal"), resideInAPackage("com.fulcrumscim.scim.."))
        .ignoreDependency(DescribedPredicate.alwaysTrue(), type(ScimException.class))
        .check(MAIN);
  }
}
