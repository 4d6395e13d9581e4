package com.fulcrumscim.journal;

import com.fulcrumscim.db.Dialect;

/**
 * A list order as SQL: the expression to sort by, then {@code seq} in the same direction, so every
 * page of a walk sees the same order. {@link #CREATION} is the default and allows keyset paging.
 * {@code expression} is a column, or {@code doc.<attribute>} for a top-level attribute of the
 * stored document (each store reads JSON its own way); {@code folded}: sorted with ASCII letters'
 * case folded ({@link Dialect#foldedForOrder}), for an attribute that is not caseExact.
 */
public record ListOrder(String expression, boolean folded, boolean descending) {
  public static final ListOrder CREATION = new ListOrder("seq", false, false);
  private static final String DOCUMENT = "doc.";

  String sql(Dialect dialect) {
    String direction = descending ? " DESC" : "";
    if (expression.equals("seq")) {
      return "seq" + direction;
    }
    String sortBy = expression.startsWith(DOCUMENT)
        ? dialect.jsonText("doc", expression.substring(DOCUMENT.length())) : expression;
    return dialect.orderTerm(folded ? dialect.foldedForOrder(sortBy) : sortBy, descending) + ", seq" + direction;
  }
}
