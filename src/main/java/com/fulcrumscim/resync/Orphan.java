package com.fulcrumscim.resync;

import com.fulcrumscim.journal.ResourceKey;

/**
 * A Fulcrum member or group the bridge created or linked (for {@code createdFor}) that no link
 * points to any more. {@code wantedBy}: who in Okta still wants it, in words; null when no one does, and only
 * then resync deletes it (otherwise it is reported).
 */
record Orphan(Type type, String fulcrumId, String label, ResourceKey createdFor, String wantedBy) {
  boolean remove() {
    return wantedBy == null;
  }

  enum Type {
    MEMBER,
    GROUP
  }
}
