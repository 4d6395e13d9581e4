package com.fulcrumscim.journal;

/**
 * What an update may write under the stored-document bound ({@link DocumentBound}), decided once
 * per write: the old document's size is counted only when the new one is over the bound, and then
 * only here. {@link #row} is what the update's UPDATE writes, with its version check.
 */
sealed interface BoundedChange {
  ResourceStore.Row row();

  /** Within the bound: written as asked. */
  record AsAsked(ResourceStore.Row row) implements BoundedChange {}

  /**
   * Over the bound, and deactivating a user: only the deactivation is written ({@code row}), the
   * rest of {@code asked} is dropped. A person the identity provider deprovisions must lose access
   * whatever else the change carries: Okta's deactivation (its GET, then a PUT of its whole profile
   * with active false) carries the values a growth PATCH was refused, and Okta does not send a
   * refused task again. The committed document with {@code active} false grows by a byte, which
   * the bound lets through.
   */
  record Cut(ResourceStore.Row row, ResourceStore.Row asked) implements BoundedChange {}

  /**
   * Over the bound: refused once the UPDATE's version check has passed (a change computed on a
   * version moved on is computed again, not refused), which rolls the write back.
   */
  record Refused(ResourceStore.Row row) implements BoundedChange {}

  /**
   * What to write for {@code asked} over {@code old}, as committed when read: should the write's
   * version check find it moved on, this is decided again on the newer one. {@code removal}: the
   * change takes access away.
   */
  static BoundedChange of(ResourceKey key, ResourceStore store, StoredResource old, ResourceStore.Row asked,
      boolean removal) {
    if (DocumentBound.within(asked, old)) {
      return new AsAsked(asked);
    }
    if (key.type() == EntityType.USER && removal) {
      return new Cut(store.row(old.doc().deepCopy().put("active", false)), asked);
    }
    return new Refused(asked);
  }
}
