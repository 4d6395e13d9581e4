package com.fulcrumscim.control;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.reconcile.RemovalGuard;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * One operator command that acts, as a row the daemon carries out: what to do ({@code kind},
 * {@code target} a work key or null for all, or what the command read: see {@link #skipTarget},
 * {@link #approvalTarget}; {@code json}), how far it got, what it waits for meanwhile
 * ({@code notice}, or null), and its answer.
 */
public record OperatorRequest(long id, Kind kind, String target, boolean json, State state, String planText,
    String phase, int done, int total, String notice, Answer answer) {

  /**
   * A skip's target: the key, then the generation of its row the command read ({@code user/<id>@5}),
   * so the daemon skips only that generation. In the target because a request row has no other
   * place for it; a key's SCIM id is a UUID, and only a SKIP's target is read this way.
   */
  public static String skipTarget(ResourceKey key, long generation) {
    return key + "@" + generation;
  }

  /**
   * An approve-removals target: the held removals the command read, one {@code <SCIM id>@<created_at>}
   * a line, then {@code @<member id>} when one was named, so the daemon approves only those, as they
   * were then ({@link RemovalGuard#approveHeld}). The member id is opaque (Fulcrum's), so it comes last.
   */
  public static String approvalTarget(List<RemovalGuard.Held> seen) {
    return seen.stream().map(h -> h.userId() + "@" + h.createdAt() + (h.memberId() == null ? "" : "@" + h.memberId()))
        .collect(Collectors.joining("\n"));
  }

  /** The held removals an approve-removals command read ({@link #approvalTarget}); empty from a command that sent none. */
  public Optional<List<RemovalGuard.Held>> approvals() {
    if (target == null || kind != Kind.APPROVE_REMOVALS) {
      return Optional.empty();
    }
    return Optional.of(target.lines().map(line -> {
      String[] parts = line.split("@", 3);
      return new RemovalGuard.Held(parts[0], Long.parseLong(parts[1]), parts.length == 3 ? parts[2] : null, false);
    }).toList());
  }

  /**
   * How many orphan member removals a {@code resync --approve-removals=N} approved (the count in its
   * dry run's plan); empty from a command that sent none.
   */
  public OptionalInt approvedOrphanMembers() {
    return target == null || kind != Kind.RESYNC_APPROVING_REMOVALS || !target.chars().allMatch(Character::isDigit)
        ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(target));
  }

  /** The work key a request names, as {@link ResourceKey#toString()} wrote it; null for all. */
  public ResourceKey key() {
    if (target == null) {
      return null;
    }
    String key = generationAt() < 0 ? target : target.substring(0, generationAt());
    int slash = key.indexOf('/');
    return new ResourceKey(EntityType.valueOf(key.substring(0, slash).toUpperCase(java.util.Locale.ROOT)),
        key.substring(slash + 1));
  }

  /** The generation a skip's command read ({@link #skipTarget}); empty from a command that sent none. */
  public OptionalLong generation() {
    return generationAt() < 0 ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(target.substring(generationAt() + 1)));
  }

  /** Where a SKIP target's {@code @<generation>} begins, or -1. */
  private int generationAt() {
    int at = target == null || kind != Kind.SKIP ? -1 : target.lastIndexOf('@');
    return at > 0 && at < target.length() - 1 && target.substring(at + 1).chars().allMatch(Character::isDigit) ? at : -1;
  }

  /** What the command asks for. */
  public enum Kind {
    RESYNC,
    /**
     * A resync that also removes the orphan members the mass-removal guard would hold, up to the
     * number its target approves ({@link #approvedOrphanMembers}).
     */
    RESYNC_APPROVING_REMOVALS,
    RESYNC_DRY_RUN,
    RETRY,
    SKIP,
    APPROVE_REMOVALS,
    /** Lets users held after a restore be invited again: one ({@code target}) or all (null), ending the holds. */
    RELEASE_RESTORED;

    /** The command that asks for it, as a refusal names it. */
    public String command() {
      return switch (this) {
        case RESYNC, RESYNC_APPROVING_REMOVALS, RESYNC_DRY_RUN -> "resync";
        case RETRY -> "journal retry";
        case SKIP -> "journal skip";
        case APPROVE_REMOVALS -> "approve-removals";
        case RELEASE_RESTORED -> "restore release";
      };
    }
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
