package com.fulcrumscim.scim.schema;

import java.util.List;
import java.util.Optional;

/** A SCIM schema (RFC 7643 §7): its URN id, a short name and its top-level attributes. */
public record SchemaDef(String id, String name, String description, List<AttributeDef> attributes) {

  public SchemaDef {
    attributes = List.copyOf(attributes);
  }

  /** The top-level attribute with this name in any case. */
  public Optional<AttributeDef> attribute(String name) {
    return AttributeDef.find(attributes, name);
  }
}
