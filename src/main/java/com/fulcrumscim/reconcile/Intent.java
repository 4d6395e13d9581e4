package com.fulcrumscim.reconcile;

import java.time.Instant;
import java.util.Set;

/**
 * Recorded before a create call. {@code matchKey} is the lower-cased email or group name;
 * {@code priorIds} are the Fulcrum entities that already matched it then. A matching entity not
 * among them and not linked elsewhere can only be the one this create made.
 */
public record Intent(String scimId, String matchKey, Set<String> priorIds, Instant createdAt) {
  public Intent {
    priorIds = Set.copyOf(priorIds);
  }

  /** Whether this create may have made the entity {@code id} listed as {@code label}: it matches, and is new to it. */
  public boolean made(String id, String label) {
    return Mirror.key(matchKey).equals(Mirror.key(label)) && !priorIds.contains(id);
  }
}
