package com.fulcrumscim.restore;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a restore carried forward from the database it replaced, and what it could not: the
 * summary the operator reads. {@code unreadable}: why nothing at all could be read.
 * {@code generatedToken}: what became of the SCIM token serve generated ({@link GeneratedTokenCarry}).
 */
public record Carried(Path from, Optional<String> unreadable, List<Deprovisioned> deprovisionings,
    List<RemovedThere> removedThere, Counts counts, List<String> problems, Optional<String> generatedToken) {

  /**
   * A user the backup has active (or does not have, while a Fulcrum member is linked to it) whom
   * Okta deactivated or deleted after the backup: without the carry the person kept access.
   */
  public record Deprovisioned(ResourceKey key, String userName, boolean deleted, Optional<WorkState> stoppedThere) {
    /** This one, its change carried as it stopped in the replaced database: DEAD, HELD, or DONE (set aside). */
    Deprovisioned stopped(WorkState there) {
      return new Deprovisioned(key, userName, deleted, Optional.of(there));
    }

    private String line() {
      return "  " + userName + " (" + key + "): " + (deleted ? "deleted" : "deactivated") + stoppedThere.map(state -> switch (state) {
        case DEAD -> "; its removal is DEAD there, and stays so: `fulcrum-scim journal show " + key + "` says why";
        case HELD -> "; its removal is held there by the mass-removal guard, and stays so";
        default -> "; its removal was set aside there (`journal skip`), and stays so: the person KEEPS ACCESS until someone"
            + " removes that member by hand";
      }).orElse("");
    }
  }

  /**
   * A user whose removal the backup had not applied ({@code inBackup}: queued, running, retrying,
   * held or DEAD) on Fulcrum member {@code memberId}, which the bridge removed or found gone after the
   * backup: its change is made due, bound to that member, and verified when the service starts.
   */
  public record RemovedThere(ResourceKey key, String userName, String memberId, WorkState inBackup) {
    private String line() {
      return "  " + userName + " (" + key + "): bound to Fulcrum member " + memberId + ", gone after the backup; in the backup"
          + " its removal is " + switch (inBackup) {
            case HELD -> "held by the mass-removal guard";
            case DEAD -> "DEAD";
            default -> inBackup.name().toLowerCase(Locale.ROOT);
          };
    }
  }

  /** Users and groups whose newer desired state was carried, and the rows carried with them. */
  public record Counts(int users, int groups, int links, int intents, int audit, int entries, int approvals, int stopped) {
    static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0);

    boolean none() {
      return equals(NONE);
    }
  }

  /** Where the README tells the operator what to do when the carry is not complete. */
  public static final String README_STEP = "README, \"Backup and restore\", \"When the restore cannot carry everything forward\"";

  /** How the one line of a carry that read nothing begins. */
  public static final String NOTHING = "nothing was carried: ";

  public Carried {
    deprovisionings = List.copyOf(deprovisionings);
    removedThere = List.copyOf(removedThere);
    problems = List.copyOf(problems);
  }

  static Carried unreadable(Path from, String why, Optional<String> generatedToken) {
    return new Carried(from, Optional.of(why), List.of(), List.of(), Counts.NONE, List.of(), generatedToken);
  }

  /** This report naming the replaced database where it now lies: a restore keeps it aside once read. */
  public Carried keptAs(Path file) {
    return new Carried(file, unreadable, deprovisionings, removedThere, counts, problems, generatedToken);
  }

  /** True when everything the replaced database holds newer than the backup was carried. */
  public boolean complete() {
    return unreadable.isEmpty() && problems.isEmpty();
  }

  /** What was not carried, one line each, as the warning lists it. */
  public List<String> notCarried() {
    return unreadable.map(why -> List.of(NOTHING + why)).orElse(problems);
  }

  /** What was carried goes to {@code out}; what was not, loudly, to {@code err}. */
  public void printTo(PrintWriter out, PrintWriter err) {
    if (unreadable.isEmpty()) {
      printCarried(out);
    }
    generatedToken.ifPresent(out::println);
    if (complete()) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(unreadable.map(why -> "WARNING: NOTHING was carried forward from the replaced database " + from + ": " + why
        + ". What Okta sent after the backup is not in the restored data.").orElse(
            "WARNING: the replaced database " + from + " could not be read in full; NOT carried forward:"));
    problems.forEach(p -> lines.add("  - " + p));
    lines.add("WARNING: a deactivation or delete among what was not carried leaves that person's access in Fulcrum, and Okta"
        + " does not send it again; a group pushed after the backup keeps its members. Follow the " + README_STEP
        + " before you start the service.");
    lines.forEach(err::println);
  }

  private void printCarried(PrintWriter out) {
    if (counts.none()) {
      out.println("nothing to carry forward: the replaced database " + from + " holds nothing newer than the backup");
      return;
    }
    out.println("carried forward from the replaced database " + from + " what Okta sent and the bridge did after the backup: "
        + deprovisionings.size() + plural(" deprovisioning", deprovisionings.size()) + ", "
        + counts.users() + plural(" user", counts.users()) + " and " + counts.groups() + plural(" group", counts.groups())
        + " in all, " + counts.links() + plural(" link", counts.links()) + " to Fulcrum, " + counts.intents()
        + plural(" create", counts.intents()) + " in doubt, " + counts.audit() + plural(" audit row", counts.audit()) + ", "
        + counts.entries() + plural(" journal entr", counts.entries(), "y", "ies") + ", "
        + counts.approvals() + plural(" removal approval", counts.approvals()) + ", "
        + removedThere.size() + plural(" removal", removedThere.size()) + " done after the backup (bound to the member gone), "
        + counts.stopped() + plural(" change", counts.stopped()) + " that stopped (DEAD, held, set aside: kept so, each bound"
        + " to the Fulcrum member it stopped on)");
    if (!deprovisionings.isEmpty()) {
      out.println("deprovisioned after the backup (active in it): the reconciler removes them from Fulcrum when the service"
          + " starts (the mass-removal guard applies):");
      deprovisionings.forEach(d -> out.println(d.line()));
    }
    if (!removedThere.isEmpty()) {
      out.println("removed from Fulcrum after the backup (their removal not yet applied in it, done since): each is made"
          + " due (one held or DEAD is not left waiting for you), bound to the member gone, and verified when the service"
          + " starts, which finds that member gone and drops the link (a member found under the address since is held, not"
          + " removed):");
      removedThere.forEach(d -> out.println(d.line()));
    }
  }

  private static String plural(String word, int n) {
    return plural(word, n, "", "s");
  }

  private static String plural(String stem, int n, String one, String many) {
    return stem + (n == 1 ? one : many);
  }
}
