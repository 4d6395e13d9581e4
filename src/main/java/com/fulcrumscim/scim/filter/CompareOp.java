package com.fulcrumscim.scim.filter;

/** RFC 7644 §3.4.2.2 comparison operators (pr is {@link Filter.Present}). */
public enum CompareOp {
  EQ, NE, CO, SW, EW, GT, GE, LT, LE;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
