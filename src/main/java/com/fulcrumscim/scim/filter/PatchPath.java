package com.fulcrumscim.scim.filter;

/**
 * RFC 7644 §3.5.2 PATCH path: {@code attrPath}, or {@code attrPath[valFilter]} optionally followed
 * by {@code .subAttribute}. {@code valueFilter} and {@code subAttribute} are null when absent; a
 * sub-attribute written as {@code name.givenName} stays inside {@link #attribute()}.
 */
public record PatchPath(AttrPath attribute, Filter valueFilter, String subAttribute) {}
