package com.fulcrumscim.journal;

/**
 * A list order as SQL: the expression to sort by, then {@code seq} in the same direction, so every
 * page of a walk sees the same order. {@link #CREATION} is the default and allows keyset paging.
 */
public record ListOrder(String expression, boolean descending) {
  public static final ListOrder CREATION = new ListOrder("seq", false);

  String sql() {
    String direction = descending ? " DESC" : "";
    return expression.equals("seq") ? "seq" + direction : expression + direction + ", seq" + direction;
  }
}
