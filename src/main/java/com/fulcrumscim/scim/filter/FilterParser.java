package com.fulcrumscim.scim.filter;

/**
 * Recursive-descent parser for RFC 7644 filters and PATCH paths. Never throws anything but
 * {@code ScimException} ({@code invalidFilter}, or {@code invalidPath} for paths), with the
 * 0-based position of the problem; input length and nesting depth are bounded.
 */
public final class FilterParser {
  public static final int MAX_LENGTH = 4096;
  public static final int MAX_DEPTH = 50;

  private FilterParser() {}

  public static Filter parse(String filter) {
    throw new UnsupportedOperationException("skeleton");
  }

  public static PatchPath parsePath(String path) {
    throw new UnsupportedOperationException("skeleton");
  }
}
