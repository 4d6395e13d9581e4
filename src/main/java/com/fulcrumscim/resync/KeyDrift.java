package com.fulcrumscim.resync;

import com.fulcrumscim.journal.ResourceKey;
import java.util.List;

/** Everything resync found for one key; {@code fixable}: enqueueing it lets the reconciler close the gap. */
record KeyDrift(ResourceKey key, List<Drift> rows, boolean fixable) {
  KeyDrift {
    rows = List.copyOf(rows);
  }
}
