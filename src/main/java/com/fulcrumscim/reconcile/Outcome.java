package com.fulcrumscim.reconcile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one reconcile ended. {@link ReconcileLoop} maps each kind to exactly one work-queue call;
 * nothing else decides a row's fate.
 */
public sealed interface Outcome {
  enum Kind { APPLIED, NO_CHANGE, SKIPPED, RETRY_AFTER, FAILED, TERMINAL, HELD, PAUSED }

  Kind kind();

  /** Desired state reached by these actions. */
  record Applied(List<Action> actions) implements Outcome {
    public Applied {
      actions = List.copyOf(actions);
    }

    public Kind kind() {
      return Kind.APPLIED;
    }
  }

  /** Fulcrum already matched. */
  record NoChange() implements Outcome {
    public Kind kind() {
      return Kind.NO_CHANGE;
    }
  }

  /** Policy leaves this key alone on purpose (the token owner's own user); nobody needs to act. */
  record Skipped(String reason) implements Outcome {
    public Kind kind() {
      return Kind.SKIPPED;
    }
  }

  /**
   * Not done yet through nobody's fault (429, a member still being created): spends no attempt.
   * {@code rateLimited}: Fulcrum's rate limit or the call budget held the calls back, which a removal
   * may wait on only as long as the retry budget lasts (ReconcileLoop), not for ever.
   */
  record RetryAfter(Duration delay, String why, boolean rateLimited) implements Outcome {
    RetryAfter(Duration delay, String why) {
      this(delay, why, false);
    }

    public Kind kind() {
      return Kind.RETRY_AFTER;
    }
  }

  /** A failure that may pass (5xx, network): retried with backoff within the wall-clock budget. */
  record Failed(String reason) implements Outcome {
    public Kind kind() {
      return Kind.FAILED;
    }
  }

  /**
   * Retrying cannot help (unknown role, an unmanaged member in the way): dead now, with the reason.
   * {@code keptBy}: the Fulcrum member through which a person Okta took away keeps access (null:
   * none), which the row records as a hold's member is ({@link Plan.Blocked#keptBy}).
   */
  record Terminal(String reason, String keptBy) implements Outcome {
    Terminal(String reason) {
      this(reason, null);
    }

    public Kind kind() {
      return Kind.TERMINAL;
    }
  }

  /**
   * The mass-removal guard stopped this change before any write; {@code what} names it for the log
   * ("REMOVAL", "ROLE TAKE-BACK"), {@code memberId} the Fulcrum member it would remove or demote,
   * the one an operator's approval then covers ({@link RemovalGuard#approveHeld}).
   */
  record Held(String what, String reason, String memberId) implements Outcome {
    public Kind kind() {
      return Kind.HELD;
    }
  }

  /**
   * Fulcrum refused the token (401), or a read every plan needs (403, 402: {@code refusedRead}, the
   * endpoint the probe repeats): the whole reconciler pauses; this key spends nothing.
   */
  record Paused(String reason, Optional<String> refusedRead) implements Outcome {
    Paused(String reason) {
      this(reason, Optional.empty());
    }

    public Kind kind() {
      return Kind.PAUSED;
    }
  }
}
