package com.fulcrumscim.scim.filter;

import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.ResolvedAttribute;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.util.Optional;

/**
 * A filter the store can answer from an index: {@code column = value}. When
 * {@code residualRequired}, the filter had more terms: evaluate the whole filter on the rows found.
 * Columns: users {@code user_name_key} (value lower-cased, Locale.ROOT), {@code external_id},
 * {@code id}; groups {@code display_name_key} (lower-cased), {@code external_id}, {@code id}.
 */
public record IndexedLookup(String column, String value, boolean residualRequired) {

  /**
   * The index lookup that answers the filter, or its indexable {@code and} term. Validates the
   * whole filter first (invalidFilter), so a bad residual term is an error even with no rows.
   */
  public static Optional<IndexedLookup> of(Filter filter, ResourceSchema schema) {
    FilterEvaluator.validate(filter, schema);
    return find(filter, schema);
  }

  private static Optional<IndexedLookup> find(Filter filter, ResourceSchema schema) {
    if (filter instanceof Filter.And and) {
      Optional<IndexedLookup> side = find(and.left(), schema).or(() -> find(and.right(), schema));
      return side.map(l -> new IndexedLookup(l.column(), l.value(), true));
    }
    if (!(filter instanceof Filter.Compare c) || c.op() != CompareOp.EQ
        || !c.value().isTextual()) {
      return Optional.empty();
    }
    AttrPath p = c.path();
    Optional<ResolvedAttribute> r = schema.resolve(p.schemaUrn(), p.attribute(), p.subAttribute());
    if (r.isEmpty() || r.get().inExtension() || r.get().subAttribute() != null) {
      return Optional.empty();
    }
    String value = c.value().textValue();
    String name = r.get().attribute().name();
    String folded = AttributeDef.fold(ResourceNormalizer.storesTrimmed(null, name) ? value.strip() : value);
    return Optional.ofNullable(switch (name) {
      case "id" -> new IndexedLookup("id", value, false);
      case "externalId" -> new IndexedLookup("external_id", value, false);
      case "userName" -> new IndexedLookup("user_name_key", folded, false);
      case "displayName" -> schema == ResourceSchema.GROUP
          ? new IndexedLookup("display_name_key", folded, false) : null;
      default -> null;
    });
  }
}
