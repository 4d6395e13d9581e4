package com.fulcrumscim.fulcrum.emulator;

import java.time.Instant;
import java.util.List;

/** A group with its members (membership ids, in the order they joined); an immutable copy. */
record Group(String id, String name, String description, List<String> memberIds, Instant createdAt, Instant updatedAt) {
  Group {
    memberIds = List.copyOf(memberIds);
  }
}
