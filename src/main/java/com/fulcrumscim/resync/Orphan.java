package com.fulcrumscim.resync;

import com.fulcrumscim.journal.ResourceKey;

/**
 * A Fulcrum member or group the bridge created (for {@code createdFor}) that no link points to any
 * more. {@code remove}: Okta no longer wants it, so resync deletes it; otherwise it is reported.
 */
record Orphan(Type type, String fulcrumId, String label, ResourceKey createdFor, boolean remove) {
  enum Type {
    MEMBER,
    GROUP
  }
}
