package com.fulcrumscim.scim.filter;

import com.fulcrumscim.scim.schema.ResourceSchema;
import java.util.Optional;

/**
 * A filter the store can answer from an index: {@code column = value}. When
 * {@code residualRequired}, the filter had more terms: evaluate the whole filter on the rows found.
 * Columns: users {@code user_name_key} (value lower-cased, Locale.ROOT), {@code external_id},
 * {@code id}; groups {@code display_name_key} (lower-cased), {@code external_id}, {@code id}.
 */
public record IndexedLookup(String column, String value, boolean residualRequired) {

  public static Optional<IndexedLookup> of(Filter filter, ResourceSchema schema) {
    throw new UnsupportedOperationException("skeleton");
  }
}
