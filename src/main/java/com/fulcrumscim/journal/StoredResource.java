package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * A SCIM resource as committed. {@code doc} is the accepted document without id, meta and the
 * membership attribute; {@code references} is that membership, read from scim_group_member (a
 * user's groups, a group's members), or empty when the caller asked to leave it out.
 */
public record StoredResource(
    EntityType type,
    long seq,
    String id,
    ObjectNode doc,
    List<Reference> references,
    long version,
    Instant created,
    Instant lastModified) {

  /** One membership edge seen from this resource: the other side's id and its display name. */
  public record Reference(String id, String display) {}

  public StoredResource withReferences(List<Reference> refs) {
    return new StoredResource(type, seq, id, doc, refs, version, created, lastModified);
  }
}
