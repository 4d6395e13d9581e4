package com.fulcrumscim.scim;

/**
 * The paging, sorting and filtering parameters of a list (RFC 7644 §3.4.2). {@code startIndex}
 * below 1 means 1 and {@code count} below 0 means 0 (RFC); {@code count} is capped by
 * {@code scim.max_page_size}, which is also its default.
 */
record ListRequest(long startIndex, int count, String filter, String sortBy, boolean descending, Projection projection) {

  interface Params {
    String get(String name);
  }

  static ListRequest of(Params q, int maxPageSize) {
    long start = Math.max(1, number(q, "startIndex", 1));
    long count = Math.min(maxPageSize, Math.max(0, number(q, "count", maxPageSize)));
    String sortOrder = q.get("sortOrder");
    boolean descending = false;
    if (sortOrder != null && !sortOrder.isBlank()) {
      if (sortOrder.equalsIgnoreCase("descending")) {
        descending = true;
      } else if (!sortOrder.equalsIgnoreCase("ascending")) {
        throw ScimException.invalidValue("sortOrder must be ascending or descending, got '" + sortOrder + "'");
      }
    }
    String filter = q.get("filter");
    if (filter != null && filter.isBlank()) {
      // Read as no filter, a lookup would answer every resource.
      throw ScimException.invalidFilter("filter is empty");
    }
    String sortBy = q.get("sortBy");
    return new ListRequest(start, (int) count, filter,
        sortBy == null || sortBy.isBlank() ? null : sortBy.strip(), descending,
        Projection.of(q.get("attributes"), q.get("excludedAttributes")));
  }

  private static long number(Params q, String name, long fallback) {
    String v = q.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw ScimException.invalidValue(name + " must be an integer, got '" + v + "'");
    }
  }
}
