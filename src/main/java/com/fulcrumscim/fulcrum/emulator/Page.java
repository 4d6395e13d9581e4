package com.fulcrumscim.fulcrum.emulator;

import java.util.Collection;
import java.util.List;

/** One page of a list, with what Fulcrum's envelope reports about the whole. */
record Page<T>(List<T> items, int page, int perPage, int totalCount) {
  static final int MAX_PER_PAGE = 20_000;

  /** Walks only to the page's end (O(page * perPage)), so an early page of a huge org is cheap. */
  static <T> Page<T> of(Collection<T> all, int page, int perPage) {
    long skip = (long) (page - 1) * perPage;
    List<T> items = all.stream().skip(skip).limit(perPage).toList();
    return new Page<>(items, page, perPage, all.size());
  }

  int totalPages() {
    return (totalCount + perPage - 1) / perPage;
  }
}
