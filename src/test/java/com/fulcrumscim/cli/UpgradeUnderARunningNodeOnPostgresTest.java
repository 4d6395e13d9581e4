package com.fulcrumscim.cli;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;

/** {@link UpgradeUnderARunningNodeTest} on a shared PostgreSQL database: the node not yet upgraded leads. */
@RequiresPostgres
class UpgradeUnderARunningNodeOnPostgresTest extends UpgradeUnderARunningNodeTest {
  @Override
  TestStore store() {
    return TestStore.emptyPostgres();
  }

  @Override
  String otherRole() {
    return "DAEMON";
  }
}
