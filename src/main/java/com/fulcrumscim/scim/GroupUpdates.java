package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.GroupFields;
import com.fulcrumscim.journal.Intake;
import com.fulcrumscim.journal.IntakeRejected;
import com.fulcrumscim.journal.IntakeRequest;
import com.fulcrumscim.journal.JournalOp;
import com.fulcrumscim.journal.ListOrder;
import com.fulcrumscim.journal.LookupColumn;
import com.fulcrumscim.journal.ResourceStore;
import com.fulcrumscim.journal.StoredResource;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.scim.schema.JsonFields;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's PUT or PATCH, in which a new displayName the bridge refuses is left out and the rest
 * applied: the members removed and added, the group keeping the name it has. Refused are a name
 * another group holds (compared case-insensitively; a group Okta unlinked with "Leave" keeps its
 * name here for good) and one that identity text rules refuse (too long, a control character).
 *
 * <p>Okta sends the group's name "each time there is a group membership update" (okta-scim.md
 * §1.7), in the membership PATCH or in a PATCH of its own before it; AIW sends a PUT of the whole
 * group. Refusing the request refused the removals with it (or, as a request of its own, failed
 * Okta's push before its membership request), and Okta does not send a failed task again: the
 * people taken out of the group kept their access in Fulcrum. So the answer is the 2xx of what was
 * applied, even when the rename was all the request asked: a failed push also marks the group's
 * push in error in Okta, and with the name refused again at each retry, no membership change of
 * that group would reach the bridge until someone freed the name. The price is that Okta shows the
 * group renamed; the refusal is a WARN naming the group, the name and why, at every push that sends
 * it, and the group as read back (GET) keeps the old name. A change taking someone out whose other
 * values are refused stores its members alone ({@link #membersAlone}).
 */
final class GroupUpdates {
  private static final Logger log = LoggerFactory.getLogger(GroupUpdates.class);
  private static final int MAX_LOGGED_NAME = 300;

  private final Intake intake;
  private final Database db;
  private final ResourceStore store;
  private final BiFunction<JsonNode, ObjectNode, ObjectNode> normalizer;

  GroupUpdates(Intake intake, Database db, ResourceStore store, BiFunction<JsonNode, ObjectNode, ObjectNode> normalizer) {
    this.intake = intake;
    this.db = db;
    this.store = store;
    this.normalizer = normalizer;
  }

  /** A name the change asked for and did not get, why, and whether another group holds it. */
  private record Refused(String name, String reason, boolean taken) {}

  /** Why the rest of a change was refused, of which only the members were applied. */
  private record MembersAlone(String refusal) {}

  /**
   * Updates group {@code id} to {@code asked} (the whole new group as the client asks for it, not
   * yet normalized against the stored one), without its name if that is refused.
   */
  StoredResource update(String id, LongPredicate ifMatch, JournalOp op, Function<StoredResource, JsonNode> asked,
      IntakeRequest request) {
    AtomicReference<Refused> refused = new AtomicReference<>();
    AtomicReference<MembersAlone> alone = new AtomicReference<>();
    StoredResource updated;
    try {
      updated = intake.update(EntityType.GROUP, id, ifMatch, op, old -> normalized(asked.apply(old), old, refused, alone),
          request);
    } catch (IntakeRejected e) {
      if (e.reason() != IntakeRejected.Reason.NAME_TAKEN) {
        throw e;
      }
      // Nothing was written (the write rolled back): the change again, on the group as it is then, with its name.
      updated = intake.update(EntityType.GROUP, id, ifMatch, op, old -> withoutTakenName(asked.apply(old), old, e, refused),
          request);
    }
    Refused r = refused.get();
    if (r != null) {
      log.warn("group {}: kept its name '{}' and applied the rest of the change (request {}); the new name '{}' was"
          + " refused: {}{}. The identity provider sends the name again with every membership update of the group:"
          + " rename it there, or free the name here", id, TerminalText.oneLine(displayName(updated.doc())),
          TerminalText.oneLine(String.valueOf(request.requestId())),
          TerminalText.oneLine(TerminalText.cut(r.name(), MAX_LOGGED_NAME)), TerminalText.oneLine(r.reason()),
          r.taken() ? heldBy(r.name(), id) : "");
    }
    MembersAlone a = alone.get();
    if (a != null) {
      log.warn("group {}: applied only its member changes (request {}), which take people out of it; the rest of the"
          + " change was refused: {}. The identity provider still holds what was refused: correct it there", id,
          TerminalText.oneLine(String.valueOf(request.requestId())), TerminalText.oneLine(a.refusal()));
    }
    return updated;
  }

  /** {@code asked} with {@code old}'s name, if it asks for the name {@code taken} refused; else as asked. */
  private ObjectNode withoutTakenName(JsonNode asked, StoredResource old, IntakeRejected taken,
      AtomicReference<Refused> refused) {
    String name = renamedTo(asked, old);
    refused.set(name == null ? null : new Refused(name, taken.getMessage(), true));
    return normalizer.apply(name == null ? asked : withName(asked, old), old.doc());
  }

  /**
   * {@code asked} normalized against {@code old}; if only its new name is refused (the change with
   * the old name is not), the change with the old name, and the refusal in {@code refused}; else, if
   * it takes someone out of the group, its members alone ({@link #membersAlone}). Called again when
   * the change is computed again: {@code refused} and {@code alone} say what the last computation left out.
   */
  private ObjectNode normalized(JsonNode asked, StoredResource old, AtomicReference<Refused> refused,
      AtomicReference<MembersAlone> alone) {
    refused.set(null);
    alone.set(null);
    try {
      return normalizer.apply(asked, old.doc());
    } catch (ScimException e) {
      String name = renamedTo(asked, old);
      if (name != null) {
        try {
          ObjectNode kept = normalizer.apply(withName(asked, old), old.doc());
          refused.set(new Refused(name, e.getMessage(), false));
          return kept;
        } catch (ScimException other) {
          // more than the name is refused: only the members may still land
        }
      }
      ObjectNode members = membersAlone(asked, old, e);
      alone.set(new MembersAlone(e.getMessage()));
      return members;
    }
  }

  /**
   * {@code old} with the members {@code asked} gives it and nothing else of {@code asked}, whose rest
   * {@code refusal} refused, when that takes someone out of the group; else {@code refusal} is
   * thrown. Okta does not send a failed membership push again (nor AIW its PUT), and the people it
   * took out kept their access for a value beside them (a 300-character externalId): as a user's
   * deactivation lands whatever else its request carries, so do a group's removals (the members it
   * adds with them, as the PUT or PATCH asked).
   */
  private ObjectNode membersAlone(JsonNode asked, StoredResource old, ScimException refusal) {
    JsonNode members = JsonFields.single(asked, "members");
    ObjectNode onlyMembers = old.doc().deepCopy();
    onlyMembers.set("members", members == null ? onlyMembers.arrayNode() : members);
    ObjectNode applied;
    try {
      applied = normalizer.apply(onlyMembers, old.doc());
    } catch (ScimException other) {
      throw refusal;
    }
    Set<String> kept = Set.copyOf(GroupFields.of(applied).memberIds());
    if (old.references().stream().allMatch(m -> kept.contains(m.id()))) {
      throw refusal;
    }
    return applied;
  }

  /** The displayName {@code asked} gives the group when it is new text, else null. */
  private static String renamedTo(JsonNode asked, StoredResource old) {
    JsonNode name = JsonFields.single(asked, "displayName");
    return name != null && name.isTextual() && !name.textValue().equals(displayName(old.doc())) ? name.textValue() : null;
  }

  /** {@code asked}, which names a displayName ({@link #renamedTo}), with the name {@code old} has. */
  private static ObjectNode withName(JsonNode asked, StoredResource old) {
    ObjectNode copy = ((ObjectNode) asked).deepCopy();
    copy.put(JsonFields.key(copy, "displayName"), displayName(old.doc()));
    return copy;
  }

  private static String displayName(ObjectNode doc) {
    return GroupFields.of(doc).displayName();
  }

  /** Which group holds {@code name}, for the operator who frees it; empty if none does now (read after the write). */
  private String heldBy(String name, String id) {
    return db.read(c -> store.where(c, LookupColumn.NAME, name, ListOrder.CREATION, false)).stream()
        .filter(g -> !g.id().equals(id)).findFirst().map(g -> " (held by group " + g.id() + ")").orElse("");
  }
}
