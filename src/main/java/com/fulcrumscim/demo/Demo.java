package com.fulcrumscim.demo;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.resync.FulcrumSnapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code fulcrum-scim demo}: the bridge on the emulated demo org, a scripted Okta session over real
 * SCIM HTTP (three users, one of them colliding with an unmanaged member; a group named like an
 * unmanaged one; a role change; a deactivation), and Fulcrum before and after, managed beside unmanaged.
 */
public final class Demo {
  static final Duration CONVERGE_WITHIN = Duration.ofSeconds(60);

  private final PrintWriter out;
  private final boolean adoptExisting;

  public Demo(PrintWriter out, boolean adoptExisting) {
    this.out = out;
    this.adoptExisting = adoptExisting;
  }

  /** Runs the demo in {@code dir} (a temporary directory the caller removes). */
  public void run(Path dir) throws InterruptedException {
    try (DemoRig rig = new DemoRig(dir, adoptExisting)) {
      OrgTables tables = new OrgTables(new LinkStore(rig.db));
      ScimSession okta = new ScimSession(rig.scimBaseUrl(), rig.scimToken);
      out.println("Fulcrum SCIM Bridge demo: bridge, reconciler and an emulated Fulcrum (\"Demo Field Services\") in one process.");
      out.println("SCIM endpoint " + rig.scimBaseUrl() + ", Fulcrum at " + rig.fulcrum.baseUrl()
          + ", users.adopt_existing: " + adoptExisting);
      section("Fulcrum BEFORE");
      tables.print(FulcrumSnapshot.read(rig.client), out);

      section("Okta pushes over SCIM");
      String ada = step("create user ada.morgan@example.com (role Manager)",
          okta.createUser("ada.morgan@example.com", "Ada", "Morgan", "Manager")).id();
      String ben = step("create user ben.ortiz@example.com (no role: Fulcrum's default)",
          okta.createUser("ben.ortiz@example.com", "Ben", "Ortiz", null)).id();
      String jordan = step("create user jordan.lee@example.com (an unmanaged Fulcrum member has this email)",
          okta.createUser("jordan.lee@example.com", "Jordan", "Lee", null)).id();
      step("create group \"Field Crew\" with all three (an unmanaged group has the same name)",
          okta.createGroup("Field Crew", List.of(ada, ben, jordan)));
      converge(rig);
      WorkItem jordanRow = rig.queue.get(ResourceKey.user(jordan)).orElseThrow();
      out.println(adoptExisting
          ? "  jordan.lee@example.com: the existing member was adopted and is now managed by the bridge"
          : "  jordan.lee@example.com: NOT applied, safely (" + jordanRow.state().name().toLowerCase(java.util.Locale.ROOT)
              + "): " + jordanRow.lastError());

      step("change ben.ortiz@example.com's role to Record Creator",
          okta.replace(ben, "role", "\"Record Creator\""));
      step("deactivate ada.morgan@example.com", okta.replace(ada, "active", "false"));
      converge(rig);

      section("Fulcrum AFTER");
      tables.print(FulcrumSnapshot.read(rig.client), out);
      out.println();
      out.println("Unmanaged members and the unmanaged \"Field Crew\" group are exactly as before; the bridge only"
          + " ever changes what it created" + (adoptExisting ? " or adopted." : "."));
      out.println("Fulcrum API calls made by the bridge: " + rig.fulcrum.calls().total() + " (including the 8 reads for these tables).");
    }
    out.flush();
  }

  private ScimSession.Answer step(String what, ScimSession.Answer answer) {
    out.println("  " + what + "  -> SCIM " + answer.status());
    if (answer.status() >= 300) {
      throw new IllegalStateException("the bridge answered " + answer.status() + " to: " + what + " " + answer.json());
    }
    return answer;
  }

  private void converge(DemoRig rig) throws InterruptedException {
    rig.awaitConverged(CONVERGE_WITHIN);
    out.println("  ... the reconciler has applied everything it can to Fulcrum");
  }

  private void section(String title) {
    out.println();
    out.println("== " + title + " ==");
  }
}
