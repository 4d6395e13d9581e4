package com.fulcrumscim;

import static com.tngtech.archunit.core.domain.JavaAccess.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.ReconcileWiring;
import org.junit.jupiter.api.Test;

/**
 * A claim also hands back the RUNNING rows its queue does not hold, so a queue that claims from a
 * process whose writer lease another took over would take the leader's rows under way (review-s4
 * F2). Only the reconcile loop claims, and only {@link ReconcileWiring} builds one, whose every
 * caller names the fence its claims pass.
 */
class OnlyAFencedLoopClaimsTest {
  @Test
  void onlyTheReconcileLoopClaimsWork() {
    noClasses().that().doNotHaveFullyQualifiedName(ReconcileLoop.class.getName())
        .should().callMethod(WorkQueue.class, "claim", int.class)
        .check(ArchitectureTest.MAIN);
  }

  @Test
  void onlyTheWiringBuildsAReconcileLoop() {
    noClasses().that().doNotHaveFullyQualifiedName(ReconcileWiring.class.getName())
        .should().callConstructorWhere(target(owner(equivalentTo(ReconcileLoop.class))))
        .check(ArchitectureTest.MAIN);
  }
}
