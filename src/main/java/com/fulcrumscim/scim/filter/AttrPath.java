package com.fulcrumscim.scim.filter;

/**
 * An attribute path as written in a filter: optional schema URN (null when absent), attribute
 * name and optional sub-attribute (null when absent), in the client's case.
 */
public record AttrPath(String schemaUrn, String attribute, String subAttribute) {

  @Override
  public String toString() {
    String base = schemaUrn == null ? attribute : schemaUrn + ":" + attribute;
    return subAttribute == null ? base : base + "." + subAttribute;
  }
}
