package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What an update may write under the stored-document bound ({@link DocumentBound}), decided once
 * per write: the old document's size is counted only when the new one is over the bound, and then
 * only here. {@link #row} is what the update's UPDATE writes, with its version check.
 */
sealed interface BoundedChange {
  /** The journal body's member that says what of a {@link Cut} change was not stored. */
  String NOT_STORED = "(not stored)";

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
   *
   * <p>{@code journalBody} is what the journal keeps of it: what was applied, not what was asked.
   * The body as sent is over the bound too, and a journal row is kept for the retention period (a
   * key's newest one for good), so it is the deactivation with the user's identity, and a member
   * {@value BoundedChange#NOT_STORED} saying why the rest is not there (a name no SCIM attribute can have).
   */
  record Cut(ResourceStore.Row row, ResourceStore.Row asked, String journalBody) implements BoundedChange {}

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
      return new Cut(store.row(old.doc().deepCopy().put("active", false)), asked, deactivation(key, old, asked));
    }
    return new Refused(asked);
  }

  /** The journal body of a user's {@link Cut} deactivation: the user as the stored document names it, active false. */
  private static String deactivation(ResourceKey key, StoredResource old, ResourceStore.Row asked) {
    UserFields user = UserFields.of(old.doc());
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("id", key.scimId()).put("userName", user.userName());
    if (user.externalId() != null) {
      body.put("externalId", user.externalId());
    }
    return body.put("active", false).put(NOT_STORED, String.format(Locale.ROOT, "the rest of this change: it would have "
        + "made the stored user %,d bytes of JSON, over the bound of %,d bytes (1 MiB); only the deactivation was "
        + "applied", asked.bytes(), DocumentBound.MAX_BYTES)).toString();
  }
}
