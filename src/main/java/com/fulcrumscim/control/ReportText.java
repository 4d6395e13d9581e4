package com.fulcrumscim.control;

import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.resync.Drift;
import com.fulcrumscim.resync.ResyncReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * A resync report as the {@code resync} command prints it: the plan as a table (printed as soon as
 * it is made), then what the apply fixed and what drift remains. Text, so the daemon can answer a command with it.
 */
public final class ReportText {
  private ReportText() {}

  public static String plan(ResyncReport r) {
    StringWriter s = new StringWriter();
    printPlan(r, new PrintWriter(s));
    return s.toString();
  }

  public static String outcome(ResyncReport r) {
    StringWriter s = new StringWriter();
    PrintWriter out = new PrintWriter(s);
    ResyncReport.Totals t = r.totals();
    // an empty plan has nothing applied to report: its "No drift" line, printed as the plan, says it all
    if (!r.plan().isEmpty()) {
      out.println();
      out.println("Applied through the reconciler: " + t.fixed() + " of " + t.drifting() + " drifting fixed, "
          + t.remaining() + " still drifting.");
      if (r.stoppedBecause() != null) {
        out.println("Stopped early: " + r.stoppedBecause());
      }
      if (!r.remaining().isEmpty()) {
        out.println();
        out.println("Drift remaining:");
        table(r.remaining(), out);
      }
    }
    out.flush();
    return s.toString();
  }

  private static void printPlan(ResyncReport r, PrintWriter out) {
    ResyncReport.Totals t = r.totals();
    if (r.plan().isEmpty()) {
      out.println("No drift: Fulcrum matches what Okta wants for all " + t.checked() + " managed users and groups.");
    } else {
      table(r.plan(), out);
      out.println();
      out.println("Checked " + t.checked() + " managed users and groups: " + t.drifting() + " drifting; " + t.toFix()
          + " for the reconciler to fix, " + t.blocked() + " blocked, " + t.collisions()
          + " colliding with unmanaged members (reported, never touched)"
          + (t.keepsAccess() == 0 ? "" : "; " + t.keepsAccess() + " deactivated or deleted in Okta but still with"
              + " access in Fulcrum, left to an operator")
          + (t.heldRemovals() == 0 ? "" : "; " + t.heldRemovals() + " removal" + (t.heldRemovals() == 1 ? "" : "s")
              + " HELD by the mass-removal guard, whose people keep access until `fulcrum-scim approve-removals`") + ".");
    }
    out.flush();
  }

  private static void table(List<Drift> rows, PrintWriter out) {
    TextTable table = new TextTable("ENTITY", "FIELD", "FULCRUM HAS", "OKTA WANTS", "ACTION");
    rows.forEach(d -> table.row(d.entity(), d.field(), d.fulcrumHas(), d.oktaWants(), d.action()));
    table.print(out, "");
  }
}
