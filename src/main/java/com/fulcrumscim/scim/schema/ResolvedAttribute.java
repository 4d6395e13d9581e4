package com.fulcrumscim.scim.schema;

/**
 * An attribute path resolved against a {@link ResourceSchema}: the extension it lives in (null for
 * the core schema and the common attributes), the top-level attribute and, for {@code a.b}, the
 * sub-attribute (else null). Names are the canonical ones whatever case the client used.
 */
public record ResolvedAttribute(String extensionUrn, AttributeDef attribute, AttributeDef subAttribute) {

  /** The attribute the path finally names. */
  public AttributeDef leaf() {
    return subAttribute == null ? attribute : subAttribute;
  }

  public boolean inExtension() {
    return extensionUrn != null;
  }

  /** Canonical path text, URN-qualified for extension attributes. */
  public String path() {
    String base = inExtension() ? extensionUrn + ":" + attribute.name() : attribute.name();
    return subAttribute == null ? base : base + "." + subAttribute.name();
  }
}
