package com.fulcrumscim.control;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;

/**
 * One operator command that acts, as a row the daemon carries out: what to do ({@code kind},
 * {@code target} a work key or null for all, {@code json}), how far it got, and its answer.
 */
public record OperatorRequest(long id, Kind kind, String target, boolean json, State state, String planText,
    String phase, int done, int total, Answer answer) {

  /** The work key a request names, as {@link ResourceKey#toString()} wrote it; null for all. */
  public ResourceKey key() {
    if (target == null) {
      return null;
    }
    int slash = target.indexOf('/');
    return new ResourceKey(EntityType.valueOf(target.substring(0, slash).toUpperCase(java.util.Locale.ROOT)),
        target.substring(slash + 1));
  }

  /** What the command asks for. */
  public enum Kind {
    RESYNC,
    /** A resync that also removes the orphan members the mass-removal guard would hold. */
    RESYNC_APPROVING_REMOVALS,
    RESYNC_DRY_RUN,
    RETRY,
    SKIP,
    APPROVE_REMOVALS
  }

  public enum State {
    PENDING,
    RUNNING,
    DONE
  }

  /** What the command prints and exits with, whoever carried it out. */
  public record Answer(int exitCode, String out, String err) {
    /** Prints it as the command's output; returns the exit code. */
    public int printTo(java.io.PrintWriter stdout, java.io.PrintWriter stderr) {
      stdout.print(out);
      stderr.print(err);
      return exitCode;
    }
  }
}
