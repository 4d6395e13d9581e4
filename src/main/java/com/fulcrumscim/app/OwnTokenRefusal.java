package com.fulcrumscim.app;

import com.fulcrumscim.reconcile.Outcome;
import java.util.Optional;

/**
 * Why Fulcrum refuses this node's own API token, if it does as far as this node last found: the
 * node then leaves a free writer lease to the other nodes first, and its /healthz says so (review-s11b).
 * Found by the start check, by a hand-over and by {@link OwnTokenCheck}, which also ends it once
 * Fulcrum accepts the token again (review-s11f F2: kept until a restart, it said "refused" of a
 * token that worked and cost every fail-over to the node a lease life).
 */
final class OwnTokenRefusal {
  private volatile Optional<Outcome.Paused> refusal = Optional.empty();

  void refused(Outcome.Paused why) {
    refusal = Optional.of(why);
  }

  void accepted() {
    refusal = Optional.empty();
  }

  Optional<Outcome.Paused> current() {
    return refusal;
  }

  /** In words, for /healthz. */
  Optional<String> reason() {
    return refusal.map(Outcome.Paused::reason);
  }
}
