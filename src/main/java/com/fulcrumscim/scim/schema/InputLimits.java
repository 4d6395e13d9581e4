package com.fulcrumscim.scim.schema;

/**
 * Bounds on client JSON, so a hostile body costs a 400 instead of memory or stack. The HTTP layer
 * bounds the byte size; these bound the shape.
 */
public record InputLimits(int maxDepth, int maxStringLength, int maxArrayLength) {
  /** Depth 32, 64 KiB strings, 100,000 array elements (a large group's member list fits). */
  public static final InputLimits DEFAULTS = new InputLimits(32, 65_536, 100_000);
}
