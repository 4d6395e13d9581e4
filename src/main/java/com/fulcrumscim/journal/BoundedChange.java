package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

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
   * Over the bound, and taking access away: only what takes it away is written ({@code row}), on
   * the committed document, and the rest of {@code asked} is dropped, so a person the identity
   * provider deprovisions loses access whatever else the change carries. A user's deactivation:
   * Okta's (its GET, then a PUT of its whole profile with active false) carries the values a growth
   * PATCH was refused, and Okta does not send a refused task again; the committed document with
   * {@code active} false grows by a byte, which the bound lets through. A group's member removal:
   * its members as asked, with the committed document, which the bound lets through as it is
   * (members are stored apart and not counted, so the members the change adds are kept too).
   * {@code applied} says which, for the WARN line.
   *
   * <p>{@code journalBody} is what the journal keeps of it: what was applied, not what was asked.
   * The body as sent is over the bound too, and a journal row is kept for the retention period (a
   * key's newest one for good), so it is the resource's identity with the deactivation or the
   * member operations, and a member {@value BoundedChange#NOT_STORED} saying why the rest is not
   * there (a name no SCIM attribute can have).
   */
  record Cut(ResourceStore.Row row, ResourceStore.Row asked, String applied, String journalBody)
      implements BoundedChange {}

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
    if (!removal) {
      return new Refused(asked);
    }
    return key.type() == EntityType.USER
        ? new Cut(store.row(old.doc().deepCopy().put("active", false)), asked, "deactivated",
            deactivation(key, old, asked))
        : new Cut(store.row(withMembersOf(asked, old)), asked, "its member changes applied",
            memberChanges(key, old, asked));
  }

  /** The journal body of a user's {@link Cut} deactivation: the user as the stored document names it, active false. */
  private static String deactivation(ResourceKey key, StoredResource old, ResourceStore.Row asked) {
    UserFields user = UserFields.of(old.doc());
    ObjectNode body = identity(key, "userName", user.userName(), user.externalId()).put("active", false);
    return notStored(body, key, asked, "only the deactivation was applied");
  }

  /** {@code old}'s committed document with the members {@code asked} has. */
  private static ObjectNode withMembersOf(ResourceStore.Row asked, StoredResource old) {
    ObjectNode doc = old.doc().deepCopy();
    JsonNode members = asked.doc().get("members");
    if (members != null) {
      doc.set("members", members);
    }
    return doc;
  }

  /** The journal body of a group's {@link Cut}: the group as the stored document names it, and the member operations applied. */
  private static String memberChanges(ResourceKey key, StoredResource old, ResourceStore.Row asked) {
    GroupFields group = GroupFields.of(old.doc());
    Set<String> before = old.references().stream().map(StoredResource.Reference::id)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    Set<String> after = new LinkedHashSet<>(GroupFields.of(asked.doc()).memberIds());
    ObjectNode body = identity(key, "displayName", group.displayName(), group.externalId());
    ArrayNode operations = body.putArray("Operations");
    memberOperation(operations, "remove", before.stream().filter(id -> !after.contains(id)).toList());
    memberOperation(operations, "add", after.stream().filter(id -> !before.contains(id)).toList());
    return notStored(body, key, asked, "only the member changes were applied");
  }

  private static void memberOperation(ArrayNode operations, String op, List<String> ids) {
    if (!ids.isEmpty()) {
      ArrayNode value = operations.addObject().put("op", op).put("path", "members").putArray("value");
      ids.forEach(id -> value.addObject().put("value", id));
    }
  }

  private static ObjectNode identity(ResourceKey key, String nameAttribute, String name, String externalId) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("id", key.scimId()).put(nameAttribute, name);
    return externalId == null ? body : body.put("externalId", externalId);
  }

  private static String notStored(ObjectNode body, ResourceKey key, ResourceStore.Row asked, String applied) {
    return body.put(NOT_STORED, String.format(Locale.ROOT, "the rest of this change: it would have made the stored %s "
        + "%,d bytes of JSON, over the bound of %,d bytes (1 MiB); %s", key.type().name().toLowerCase(Locale.ROOT),
        asked.bytes(), DocumentBound.MAX_BYTES, applied)).toString();
  }
}
