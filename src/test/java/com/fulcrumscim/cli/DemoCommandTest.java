package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end: bridge, reconciler and emulator in process, Okta over real SCIM HTTP. */
class DemoCommandTest {
  @TempDir Path dir;

  String after(String out) {
    return out.substring(out.indexOf("== Fulcrum AFTER =="));
  }

  @Test
  void theDemoPrintsFulcrumBeforeAndAfterManagedBesideUnmanagedAndExitsZero() throws Exception {
    OpsCliRun.Result r = new OpsCliRun(dir).run("demo");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("== Fulcrum BEFORE ==", "== Okta pushes over SCIM ==", "== Fulcrum AFTER ==")
        .containsPattern("MEMBER\\s+EMAIL\\s+ROLE\\s+BRIDGE")
        .containsPattern("GROUP\\s+MEMBERS\\s+BRIDGE")
        .containsPattern("create user ada.morgan@example.com \\(role Manager\\)\\s+-> SCIM 201");
    String before = r.out().substring(0, r.out().indexOf("== Okta pushes"));
    assertThat(before).doesNotContain("managed by bridge");
    assertThat(after(r.out()))
        .containsPattern("Ben Ortiz\\s+ben.ortiz@example.com\\s+Record Creator\\s+managed by bridge")
        .containsPattern("Field Crew\\s+ben.ortiz@example.com\\s+managed by bridge")
        .containsPattern("Field Crew\\s+Jordan.Lee@example.com, elena.petrova@example.com, marcus.webb@example.com\\s+unmanaged")
        .containsPattern("Jordan Lee\\s+Jordan.Lee@example.com\\s+Standard User\\s+unmanaged")
        .doesNotContain("ada.morgan@example.com");
  }

  @Test
  void theCollidingUserFailsSafelyUnlessAdoptIsOn() throws Exception {
    OpsCliRun.Result safe = new OpsCliRun(dir).run("demo");
    assertThat(safe.out()).contains("jordan.lee@example.com: NOT applied, safely (dead)", "users.adopt_existing: true to adopt it");

    OpsCliRun.Result adopting = new OpsCliRun(dir).run("demo", "--adopt-existing");
    assertThat(adopting.exit()).as(adopting.err()).isZero();
    assertThat(after(adopting.out()))
        .containsPattern("Jordan Lee\\s+Jordan.Lee@example.com\\s+Standard User\\s+managed by bridge")
        .containsPattern("Field Crew\\s+Jordan.Lee@example.com, ben.ortiz@example.com\\s+managed by bridge");
  }
}
