package com.fulcrumscim.journal;

/**
 * A write for a work row's claim found the row no longer held by that claim: this node stalled
 * past its writer lease and another node took the row over (or an operator's restart rescued it).
 * The write is rolled back; the row's current holder reconciles the key from state.
 */
public final class ClaimLost extends RuntimeException {
  public ClaimLost(ResourceKey key) {
    super("the claim on " + key + " passed to another holder while this node reconciled it (it stalled past its "
        + "writer lease); its remaining writes for that key are dropped and the new holder reconciles it", null, false, false);
  }
}
