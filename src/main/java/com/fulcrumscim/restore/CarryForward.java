package com.fulcrumscim.restore;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.GeneratedTokenSetting;
import com.fulcrumscim.journal.IntakeRequest;
import com.fulcrumscim.journal.JournalOp;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Carries into a restored database what the database it replaces holds newer than the backup. The
 * replaced database ran until the restore, so it holds the identity provider's latest word; the
 * backup does not, and Okta never sends a change again once acknowledged. Without this, a person
 * deactivated after the backup whose removal had not reached Fulcrum yet (pending, retrying, held,
 * dead) came back active and linked with their member still there, and a group pushed after the
 * backup was forgotten with its members in Fulcrum.
 *
 * <p>What is carried, read from the replaced database as it stands:
 * <ul>
 *   <li>every user and group whose newest journal entry the restored journal lacks: its desired
 *       state (row, members; for a deleted user its tombstone), those journal entries, and a work
 *       row, a removal when it takes access away. The restore marker is set before, so these
 *       entries count as the identity provider's word after it and the restore's hold does not
 *       apply to them;</li>
 *   <li>every link that differs (the Fulcrum member or group the bridge made or adopted after the
 *       backup), with the creates in doubt (intents) the restored database lacks, and every address
 *       a user's member had in Fulcrum ({@link MemberAddresses});</li>
 *   <li>the audit rows of Fulcrum writes made after the backup: resync's evidence of what the
 *       bridge made.</li>
 * </ul>
 * A link is never dropped: one the replaced database no longer has belongs to a removal the
 * reconciler verifies again, made due and bound to its member when the replaced database shows it
 * done after the backup while the backup has not applied it. Each key is carried in a transaction of
 * its own, so a row that cannot be read or written costs only itself, and is named in the report.
 */
public final class CarryForward {
  /** Audit rows are looked for from this long before the backup's newest write: a clock may have stepped back. */
  private static final Duration AUDIT_MARGIN = Duration.ofHours(1);
  private static final String ADDRESSES = "the addresses its users' members had in Fulcrum";

  /** What a row waiting for an operator or set aside keeps: how it stopped, and the member it is bound to. */
  private static final Set<String> STOP = Set.of("state", "attempts", "first_failure_at", "last_error", "removal", "updated_at",
      "held_member", "named_member");
  /** What a queued row keeps of an earlier stop of its key: the member the change is bound to. */
  private static final Set<String> BINDING = Set.of("held_member", "named_member");

  private final ReplacedStore replaced;
  private final Database restored;
  private final WorkQueue queue;
  private final RestoredStore store = new RestoredStore();
  /** The journal's own insert: its columns have not changed since schema 1, so an entry of any schema goes in whole. */
  private final JournalStore journal = new JournalStore();
  private final List<String> problems = new ArrayList<>();
  private final List<Carried.Deprovisioned> deprovisionings = new ArrayList<>();
  private final List<Carried.RemovedThere> removedThere = new ArrayList<>();
  private final Set<ResourceKey> carried = new HashSet<>();
  private final Set<ResourceKey> notCarried = new HashSet<>();
  /** The newest journal entry of each key there, as read: what a work row there stands for. */
  private final Map<ResourceKey, ReplacedStore.Newest> newestThere = new HashMap<>();
  private int users;
  private int groups;
  private int entries;
  /** Whether every link of the replaced database was read: if not, an unlinked key may have been linked there. */
  private boolean linksWhole = true;

  private CarryForward(ReplacedStore replaced, Database restored, Clock clock) {
    this.replaced = replaced;
    this.restored = restored;
    this.queue = new WorkQueue(restored, clock);
  }

  /**
   * Carries into {@code restored} (SQLite, its restore marker set) what {@code file} holds newer,
   * and records in it whether that was everything ({@link IncompleteCarry}). Never throws for what
   * it cannot read: the report says what that was.
   */
  public static Carried from(Path file, Database restored, Clock clock) {
    Carried carried = read(file, restored, clock);
    IncompleteCarry.record(restored, clock.instant(), carried);
    return carried;
  }

  private static Carried read(Path file, Database restored, Clock clock) {
    if (!Files.exists(file)) {
      return unreadable(file, restored, "there is no such file");
    }
    ReplacedStore replaced;
    try {
      replaced = ReplacedStore.open(file);
    } catch (SQLException | RuntimeException e) {
      return unreadable(file, restored, "it cannot be read (" + message(e) + ")");
    }
    try {
      if (replaced.versions().found() == 0) {
        return unreadable(file, restored, "it holds no fulcrum-scim schema");
      }
      if (replaced.versions().found() > replaced.versions().known()) {
        return unreadable(file, restored, "its schema version " + replaced.versions().found() + " is newer than this release"
            + " knows (" + replaced.versions().known() + ")");
      }
      return new CarryForward(replaced, restored, clock).carry(file);
    } finally {
      replaced.closeQuietly();
    }
  }

  /** Nothing could be read from {@code file}: the backup's generated SCIM token stays, and the report says so. */
  private static Carried unreadable(Path file, Database restored, String why) {
    return Carried.unreadable(file, why, GeneratedTokenCarry.unverified(restored));
  }

  /** One key the replaced database holds newer: its desired state there (resource null: deleted) and its entries. */
  private record Change(ReplacedStore.Newest newest, Row resource, Row tombstone, List<String> members, List<Row> entries) {
    ResourceKey key() {
      return newest.key();
    }

    /** Deletions first (they free names), then users before the groups that name them, each in creation order. */
    static final Comparator<Change> ORDER = Comparator.<Change>comparingInt(c -> c.resource == null ? 0 : 1)
        .thenComparing(c -> c.key().type())
        .thenComparingLong(c -> c.resource == null ? 0 : c.resource.number("seq"));
  }

  /** Each step on its own: one that fails is named, and the others still carry what they can. */
  private Carried carry(Path file) {
    if (!replaced.damage().isEmpty()) {
      problems.add("SQLite's quick_check finds it damaged (" + String.join("; ", replaced.damage())
          + "): what lies on the damaged pages is named below as it was met");
    }
    // before anything is carried: carried journal entries are newer than the backup's newest write
    long auditSince = step("its audit of Fulcrum writes", () -> restored.read(store::newestWrite) - AUDIT_MARGIN.toMillis(), 0L);
    List<Row> links = readLinks();
    Set<ResourceKey> linkedThere = new HashSet<>();
    Set<String> membersLinkedThere = new HashSet<>();
    for (Row l : links) {
      ResourceKey key = key(l, "scim_id");
      linkedThere.add(key);
      if (key.type() == EntityType.USER) {
        membersLinkedThere.add(l.string("fulcrum_id"));
      }
    }
    step("its users and groups", () -> {
      applyChanges(withoutUnlinkedNewGroups(changes(), linkedThere), linkedThere);
      return null;
    }, null);
    int linksCarried = step("its links to Fulcrum", () -> carryLinks(links), 0);
    step(ADDRESSES, () -> {
      carryAddresses();
      return null;
    }, null);
    int intents = step("its creates in doubt (intents)", this::carryIntents, 0);
    // after the links and intents, whose carry makes their keys due, and before the approvals, which revive what they cover
    int stopped = step("its changes that stopped (DEAD, held, set aside)", this::carryStops, 0);
    int audit = step("its audit of Fulcrum writes", () -> carryAudit(auditSince), 0);
    // after the audit, whose rows of the removals made there it reads
    step("its removals done after the backup", () -> {
      verifyRemovalsDoneThere(linkedThere, membersLinkedThere);
      return null;
    }, null);
    int approvals = step("its removal approvals", this::carryApprovals, 0);
    // once the approvals revived the held removals they cover
    step("how its deprovisionings stand", () -> {
      deprovisionings.replaceAll(this::asItStands);
      return null;
    }, null);
    Optional<String> token = step(GeneratedTokenCarry.NOT_CARRIED, this::carryGeneratedToken, Optional.empty());
    return new Carried(file, Optional.empty(), deprovisionings, removedThere,
        new Carried.Counts(users, groups, linksCarried, intents, audit, entries, approvals, stopped), problems, token);
  }

  /** As the replaced database holds it; when its settings cannot be read, the backup's stays and the report says so. */
  private Optional<String> carryGeneratedToken() {
    try {
      return GeneratedTokenCarry.carry(replaced.settings(GeneratedTokenSetting.KEYS), restored);
    } catch (SQLException e) {
      problems.add(GeneratedTokenCarry.NOT_CARRIED + " (" + message(e) + ")");
      return GeneratedTokenCarry.unverified(restored);
    }
  }

  /** {@code work}'s answer; {@code otherwise} when it fails unforeseen, named as {@code what} among the problems. */
  private <T> T step(String what, Supplier<T> work, T otherwise) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      problems.add(what + ": the carry stopped part way (" + message(e) + ")");
      return otherwise;
    }
  }

  /** The keys whose newest journal entry in the replaced database the restored one lacks, read there. */
  private List<Change> changes() {
    List<ReplacedStore.Newest> newest = new ArrayList<>();
    try {
      replaced.newestEntries(newest::add);
    } catch (SQLException e) {
      problems.add("its journal (" + newest.size() + " users and groups read, then: " + message(e)
          + "): a change Okta sent after the backup about any other user or group is not carried");
    }
    newest.forEach(n -> newestThere.put(n.key(), n));
    List<ReplacedStore.Newest> newer = restored.read(c -> {
      List<ReplacedStore.Newest> out = new ArrayList<>();
      for (ReplacedStore.Newest n : newest) {
        if (!store.hasEntry(c, n.key(), n.requestId(), n.receivedAt(), n.op())) {
          out.add(n);
        }
      }
      return out;
    });
    List<Change> changes = new ArrayList<>();
    for (ReplacedStore.Newest n : newer) {
      ResourceKey key = n.key();
      try {
        Row resource = replaced.resource(key).orElse(null);
        Row tombstone = resource == null && key.type() == EntityType.USER ? replaced.tombstone(key.scimId()).orElse(null) : null;
        List<String> members = resource != null && key.type() == EntityType.GROUP ? replaced.members(key.scimId()) : List.of();
        changes.add(new Change(n, resource, tombstone, members, replaced.entries(key)));
      } catch (SQLException e) {
        notCarried(key, message(e));
      }
    }
    changes.sort(Change.ORDER);
    return changes;
  }

  /**
   * The changes less those of groups the backup does not have whose link could not be read. The
   * bridge may have made such a group in Fulcrum after the backup: carried without its link, it
   * would be made a second time when the service starts (group names are not unique in Fulcrum, and
   * the reconciler never takes a group it did not record making), and the first would keep its
   * members for good. Not carried, nothing makes it, Okta's changes to it are answered 404, and the
   * README step named in the warning has the operator delete the first and push the group again. A
   * user carried without its link needs no such care: Fulcrum has one member per email, which the
   * reconciler adopts (users.adopt_existing) or leaves DEAD saying so, and never invites twice.
   */
  private List<Change> withoutUnlinkedNewGroups(List<Change> changes, Set<ResourceKey> linkedThere) {
    if (linksWhole) {
      return changes;
    }
    Set<ResourceKey> unknownHere = restored.read(c -> {
      Set<ResourceKey> out = new HashSet<>();
      for (Change ch : changes) {
        ResourceKey key = ch.key();
        if (key.type() == EntityType.GROUP && ch.resource() != null && !linkedThere.contains(key)
            && !store.knows(c, key) && !store.linked(c, key)) {
          out.add(key);
        }
      }
      return out;
    });
    List<Change> kept = new ArrayList<>();
    for (Change ch : changes) {
      if (unknownHere.contains(ch.key())) {
        notCarried(ch.key(), "the group '" + ch.resource().string("display_name") + "' pushed after the backup, left out:"
            + " its link to Fulcrum could not be read, and without it the group would be made in Fulcrum a second time");
      } else {
        kept.add(ch);
      }
    }
    return kept;
  }

  /**
   * Each change in a transaction of its own. One refused for a name another carried change frees
   * (a userName Okta gave a new user after renaming the old one) is tried again once the rest are in.
   */
  private void applyChanges(List<Change> changes, Set<ResourceKey> linkedThere) {
    List<Change> todo = changes;
    while (!todo.isEmpty()) {
      List<CompletableFuture<Applied>> futures = todo.stream()
          .map(ch -> restored.writeLater(c -> apply(c, ch, linkedThere))).toList();
      List<Change> again = new ArrayList<>();
      Map<ResourceKey, String> refused = new HashMap<>();
      for (int i = 0; i < todo.size(); i++) {
        Change ch = todo.get(i);
        try {
          counted(ch.key(), futures.get(i).join());
        } catch (RuntimeException e) {
          if (uniqueViolation(e)) {
            again.add(ch);
            refused.put(ch.key(), message(e));
          } else {
            notCarried(ch.key(), message(e));
          }
        }
      }
      if (again.size() == todo.size()) {
        again.forEach(ch -> notCarried(ch.key(), refused.get(ch.key())));
        return;
      }
      todo = again;
    }
  }

  private void counted(ResourceKey key, Applied applied) {
    carried.add(key);
    if (key.type() == EntityType.USER) {
      users++;
    } else {
      groups++;
    }
    entries += applied.entries();
    applied.deprovisioned().ifPresent(deprovisionings::add);
    applied.membersLeftOut().forEach(m -> problems.add(key + ": its member user/" + m + " (no such user here)"));
  }

  /** What carrying one change did. */
  private record Applied(int entries, Optional<Carried.Deprovisioned> deprovisioned, List<String> membersLeftOut) {}

  private Applied apply(Connection c, Change ch, Set<ResourceKey> linkedThere) throws SQLException {
    ResourceKey key = ch.key();
    Optional<RestoredStore.Held> was = store.held(c, key);
    List<String> affectedGroups = new ArrayList<>();
    List<String> leftOut = List.of();
    boolean removal;
    if (ch.resource() == null) {
      if (key.type() == EntityType.USER && was.isPresent()) {
        affectedGroups.addAll(store.groupsOf(c, key.scimId()));
        store.leaveGroups(c, key.scimId());
      }
      keepTombstone(c, ch, was); // while the restored row is there: it may say when the user lost access
      if (was.isPresent()) {
        store.remove(c, key);
      }
      removal = true;
    } else {
      store.put(c, key, ch.resource(), was);
      if (key.type() == EntityType.USER) {
        boolean active = active(ch.resource());
        removal = !active;
        if (was.isEmpty() || was.get().active() != active) {
          // its groups plan only active members: an active flag that moved changes their plans
          affectedGroups.addAll(store.groupsOf(c, key.scimId()));
        }
      } else {
        List<String> before = store.members(c, key.scimId());
        leftOut = store.setMembers(c, key.scimId(), ch.members());
        removal = !ch.members().containsAll(before);
      }
    }
    int added = 0;
    for (Row entry : ch.entries()) {
      if (!store.hasEntry(c, key, entry.string("request_id"), entry.number("received_at"), entry.string("op"))) {
        journal.append(c, entry.number("received_at"), new IntakeRequest(entry.string("request_id"), entry.string("body")),
            key, JournalOp.valueOf(entry.string("op")));
        added++;
      }
    }
    // an active user's row has nothing left to take away, whatever removal the backup's row carried
    queue.enqueue(c, key, removal ? WorkQueue.Access.TAKEN_AWAY
        : key.type() == EntityType.USER ? WorkQueue.Access.GIVEN_BACK : WorkQueue.Access.UNTOLD);
    for (String group : affectedGroups) {
      queue.nudge(c, ResourceKey.group(group));
    }
    boolean hadAccess = was.map(RestoredStore.Held::active)
        .orElse(linkedThere.contains(key) || store.linked(c, key));
    Optional<Carried.Deprovisioned> deprovisioned = key.type() == EntityType.USER && removal && hadAccess
        ? Optional.of(new Carried.Deprovisioned(key, userName(ch, was), ch.resource() == null, Optional.empty()))
        : Optional.empty();
    return new Applied(added, deprovisioned, leftOut);
  }

  /**
   * A deleted user's last userName and email, by which the reconciler finds a member invited again
   * by hand: the replaced database's tombstone, or (dropped there once its removal was verified)
   * one made from the restored row, so that removal is verified again here.
   */
  private void keepTombstone(Connection c, Change ch, Optional<RestoredStore.Held> was) throws SQLException {
    if (ch.key().type() != EntityType.USER) {
      return;
    }
    if (ch.tombstone() != null) {
      Object leftAt = ch.tombstone().values().get("left_at");
      store.keepTombstone(c, ch.key().scimId(), ch.tombstone().string("user_name"), ch.tombstone().string("email"),
          ch.tombstone().number("deleted_at"), leftAt == null ? null : ((Number) leftAt).longValue(),
          ch.tombstone().string("left_with_email"));
    } else if (was.isPresent() && was.get().email() != null) {
      store.keepTombstone(c, ch.key().scimId(), was.get().name(), was.get().email(), ch.newest().receivedAt(), null, null);
    }
  }

  private List<Row> readLinks() {
    List<Row> links = new ArrayList<>();
    try {
      replaced.links(links::add);
    } catch (SQLException e) {
      linksWhole = false;
      problems.add("its links to Fulcrum (" + links.size() + " read, then: " + message(e) + "): a Fulcrum member or group"
          + " the bridge made or adopted after the backup is unknown to it; resync lists it as an orphan when its audit"
          + " row was carried");
    }
    return links;
  }

  /** A scan of the replaced database, handing on each row it reads. */
  private interface Scan {
    void each(Consumer<Row> each) throws SQLException;
  }

  /** What {@code scan} reads; when it fails part way, what it read, the failure named as {@code what} with what it {@code costs}. */
  private List<Row> read(Scan scan, String what, String costs) {
    List<Row> rows = new ArrayList<>();
    try {
      scan.each(rows::add);
    } catch (SQLException e) {
      problems.add(what + " (" + rows.size() + " read, then: " + message(e) + ")" + costs);
    }
    return rows;
  }

  /** How carrying one link, intent or work row ended. SUPERSEDED: the restored database holds a newer change of its key. */
  private enum Outcome { ALREADY_THERE, CARRIED, KEY_UNKNOWN, SUPERSEDED }

  /** A link by its Fulcrum id, an intent by its email or name. */
  private static String named(Row linkOrIntent) {
    return linkOrIntent.string("fulcrum_id", "match_key");
  }

  /** Links the restored database lacks or holds otherwise; answers how many were carried. */
  private int carryLinks(List<Row> links) {
    return carryEach(links, "scim_id", "its link to Fulcrum", CarryForward::named, link -> c -> {
      ResourceKey key = key(link, "scim_id");
      if (store.hasLink(c, key, link)) {
        return Outcome.ALREADY_THERE;
      }
      if (!carried.contains(key) && !store.knows(c, key) && !store.linked(c, key)) {
        return Outcome.KEY_UNKNOWN;
      }
      // the Fulcrum entity went to another key after the backup (Okta deleted a user and pushed them again)
      Optional<String> displaced = store.otherLinkedTo(c, key, link.string("fulcrum_id"));
      if (displaced.isPresent()) {
        ResourceKey other = new ResourceKey(key.type(), displaced.get());
        store.unlink(c, other);
        queue.enqueue(c, other, false);
      }
      store.putLink(c, key, link);
      store.dropIntent(c, key); // the create it stood for was linked
      queue.enqueue(c, key, false);
      return Outcome.CARRIED;
    });
  }

  /**
   * The addresses users' members had in Fulcrum that the restored database lacks, all in one write:
   * without them a member found under an address made or changed after the backup would be reported
   * as one Okta gave that never reached Fulcrum, instead of adopted and removed (users.adopt_existing).
   */
  private void carryAddresses() {
    List<Row> rows = read(replaced::memberAddresses, ADDRESSES, ": a member found under an address the bridge gave"
        + " after the backup is reported instead of adopted and removed (users.adopt_existing: true)");
    MemberAddresses addresses = new MemberAddresses();
    restored.write(c -> {
      for (Row r : rows) {
        addresses.held(c, r.string("scim_id"), r.string("email_key"));
      }
      return null;
    });
  }

  /** Creates in doubt the restored database knows nothing of, for keys it does not link; answers how many. */
  private int carryIntents() {
    List<Row> intents = read(replaced::intents, "its creates in doubt (intents)", "");
    return carryEach(intents, "scim_id", "its create in doubt", CarryForward::named, intent -> c -> {
      ResourceKey key = key(intent, "scim_id");
      if (store.hasIntent(c, key) || store.linked(c, key)) {
        return Outcome.ALREADY_THERE;
      }
      if (!carried.contains(key) && !store.knows(c, key)) {
        return Outcome.KEY_UNKNOWN;
      }
      store.insert(c, "reconcile_intent", intent);
      queue.enqueue(c, key, false);
      return Outcome.CARRIED;
    });
  }

  /**
   * Each of {@code rows} (links, intents or work rows) in a transaction of its own, those of a key
   * that could not be carried left out; answers how many were carried. {@code idColumn} holds the
   * row's SCIM id; {@code named} says which row of its key it is.
   */
  private int carryEach(List<Row> rows, String idColumn, String what, Function<Row, String> named,
      Function<Row, Database.Work<Outcome>> carry) {
    List<Row> tried = new ArrayList<>();
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    for (Row row : rows) {
      ResourceKey key = key(row, idColumn);
      if (notCarried.contains(key)) {
        problems.add(key + ": " + what + " " + named.apply(row) + " (not carried with it)");
      } else {
        tried.add(row);
        outcomes.add(restored.writeLater(carry.apply(row)));
      }
    }
    int n = 0;
    for (int i = 0; i < tried.size(); i++) {
      Row row = tried.get(i);
      ResourceKey key = key(row, idColumn);
      String name = key + ": " + what + " " + named.apply(row);
      try {
        switch (outcomes.get(i).join()) {
          case CARRIED -> n++;
          case KEY_UNKNOWN -> problems.add(name + " (neither database holds the "
              + key.type().name().toLowerCase(Locale.ROOT) + " itself)");
          case ALREADY_THERE, SUPERSEDED -> { }
        }
      } catch (RuntimeException e) {
        problems.add(name + " (" + message(e) + ")");
      }
    }
    return n;
  }

  /**
   * The work rows there of changes that stopped (DEAD, held, or set aside with `journal skip`), as
   * they stopped, and the Fulcrum member each stopped on (held_member, named_member): answers how
   * many. Carried by the change alone, such a row became a fresh change that acts, bound to no
   * member (review-s9c L1): with the leaver's member removed by hand since and the address given to
   * a new hire invited by hand, it adopted and removed the new hire's own account (or called it the
   * leaver's access), a change an operator had set aside ran again, and a new hire waited for it.
   * Only a row standing for the change the restored database holds last (the same newest journal
   * entry) is carried: one that ran past it is newer here.
   */
  private int carryStops() {
    List<Row> rows = read(replaced::stoppedWork, "its changes that stopped", ": a change DEAD, held or set aside after the"
        + " backup runs again, and may take another member under its address for its own");
    return carryEach(rows, "entity_id", "its change that stopped", row -> row.string("state"), row -> c -> {
      ResourceKey key = key(row, "entity_id");
      ReplacedStore.Newest newest = newestThere.get(key);
      if (newest == null || !store.newestEntryIs(c, newest)) {
        return Outcome.SUPERSEDED;
      }
      return store.updateWork(c, key, row.only(waitsThere(row) ? STOP : BINDING)) ? Outcome.CARRIED : Outcome.KEY_UNKNOWN;
    });
  }

  /**
   * The removals the restored database has not applied (queued, running, retrying, held or DEAD) on
   * a linked member that the replaced one shows done since, for the same change (its newest journal
   * entry), made due and bound to that member (held_member). The replaced database dropped the link,
   * ended the row applied (not set aside), and its audit, carried, says the bridge removed that very
   * member or found it gone; no user there is linked to it (a member handed over to another user is
   * unlinked too, and still there). Kept as the backup has them, a held or DEAD one stood in status
   * as a person keeping access who is gone from Fulcrum, and went only once an operator approved or
   * retried it a second time (review-s10a F1); and any of them, bound to no member, took a member
   * found under the address since (a new hire invited by hand, users.adopt_existing) for the
   * leaver's, adopted and removed it (review-s11a R1). Made due, its plan finds the member gone and
   * drops the link, removing nothing; bound, a member found under the address since is held again.
   * No link read there: a link not read may still be there, and the removal stays as the backup has it.
   */
  private void verifyRemovalsDoneThere(Set<ResourceKey> linkedThere, Set<String> membersLinkedThere) {
    if (!linksWhole) {
      return;
    }
    for (RestoredStore.UnsettledRemoval r : restored.read(store::unsettledRemovals)) {
      ResourceKey key = r.key();
      ReplacedStore.Newest newest = newestThere.get(key);
      if (newest == null || linkedThere.contains(key) || membersLinkedThere.contains(r.memberId()) || carried.contains(key)
          || notCarried.contains(key)) {
        continue;
      }
      Optional<Row> there;
      try {
        there = replaced.work(key);
      } catch (SQLException e) {
        problems.add(key + ": its work row (" + message(e) + "): a removal the backup holds " + r.state() + " stays so, even"
            + " if it was done after the backup");
        continue;
      }
      if (there.isEmpty() || !there.get().string("state").equals("DONE") || setAside(there.get())) {
        continue;
      }
      WorkState was = WorkState.valueOf(r.state());
      boolean bound = restored.write(c -> {
        if (!store.newestEntryIs(c, newest) || !store.droppedLink(c, key, r.memberId(), r.createdAt())) {
          return false;
        }
        store.updateWork(c, key, new Row(Map.of("held_member", r.memberId())));
        return queue.revive(c, key, was) > 0;
      });
      if (bound) {
        removedThere.add(new Carried.RemovedThere(key, r.userName(), r.memberId(), was));
      }
    }
  }

  /** {@code d} with how its change stands in the restored database once carried: stopped, it is not applied when the service starts. */
  private Carried.Deprovisioned asItStands(Carried.Deprovisioned d) {
    return queue.get(d.key()).filter(w -> w.state() == WorkState.DEAD || w.state() == WorkState.HELD || w.setAside())
        .map(w -> d.stopped(w.state())).orElse(d);
  }

  /** Whether the work row {@code row} waits for an operator (DEAD, held) or was set aside by one. */
  private static boolean waitsThere(Row row) {
    String state = row.string("state");
    return state.equals("DEAD") || state.equals("HELD") || setAside(row);
  }

  /** As {@code WorkItem#setAside}, for a work row read from the replaced database: DONE with its reason kept. */
  private static boolean setAside(Row row) {
    return row.string("state").equals("DONE") && row.string("last_error") != null;
  }

  /**
   * The approvals given with `approve-removals` after the backup that still cover a change waiting
   * there; answers how many. Without them, a removal the operator had let past the mass-removal
   * guard was held again, and the person kept access until someone noticed and approved it twice.
   * An approval covers the change its work row waits with (RemovalGuard compares approved_at with
   * the row's created_at): here it covers the restored row's, which the carry made (a new row is
   * stamped now) or which held the same change since before the backup. A HELD row is made due, as
   * the approval did there.
   */
  private int carryApprovals() {
    List<Row> approvals = read(replaced::approvals, "its removal approvals", ": a removal approved after the backup is held"
        + " again by the mass-removal guard; `fulcrum-scim approve-removals` lets it go");
    List<Row> tried = new ArrayList<>();
    List<CompletableFuture<Boolean>> outcomes = new ArrayList<>();
    for (Row approval : approvals) {
      ResourceKey key = ResourceKey.user(approval.string("scim_id"));
      if (notCarried.contains(key)) {
        problems.add(key + ": its removal approval (not carried with it)");
        continue;
      }
      tried.add(approval);
      outcomes.add(restored.writeLater(c -> {
        Optional<Long> since = store.unsettledSince(c, key);
        if (since.isEmpty() || store.approved(c, key.scimId(), since.get())) {
          return false;
        }
        store.approve(c, key.scimId(), Math.max(since.get(), approval.number("approved_at")), approval.string("member_id"));
        // as approve-removals: a DEAD row (approved, then failed) stays DEAD, as it is there
        queue.revive(c, key, WorkState.HELD);
        return true;
      }));
    }
    int n = 0;
    for (int i = 0; i < tried.size(); i++) {
      try {
        n += outcomes.get(i).join() ? 1 : 0;
      } catch (RuntimeException e) {
        problems.add("user/" + tried.get(i).string("scim_id") + ": its removal approval (" + message(e) + ")");
      }
    }
    return n;
  }

  /** The audit rows of Fulcrum writes made since {@code since} (epoch ms) the restored audit lacks; answers how many. */
  private int carryAudit(long since) {
    List<Row> rows = new ArrayList<>();
    try {
      replaced.auditSince(since, rows::add);
    } catch (SQLException e) {
      problems.add("its audit of Fulcrum writes (" + rows.size() + " rows read, then: " + message(e) + "): resync may"
          + " not recognise a member or group the bridge made after the backup as its own");
    }
    return restored.write(c -> {
      int n = 0;
      for (Row row : rows) {
        if (!store.hasAudit(c, row)) {
          store.insert(c, "reconcile_audit", row.without(Set.of("id")));
          n++;
        }
      }
      return n;
    });
  }

  private void notCarried(ResourceKey key, String why) {
    notCarried.add(key);
    problems.add(key + ": " + why);
  }

  private static ResourceKey key(Row row, String idColumn) {
    return new ResourceKey(EntityType.valueOf(row.string("entity_type")), row.string(idColumn));
  }

  private static boolean active(Row user) {
    return user.number("active") == 1;
  }

  private static String userName(Change ch, Optional<RestoredStore.Held> was) {
    if (ch.resource() != null) {
      return ch.resource().string("user_name");
    }
    return ch.tombstone() != null ? ch.tombstone().string("user_name") : was.map(RestoredStore.Held::name).orElse("?");
  }

  private static boolean uniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && Dialect.isUniqueViolation(s)) {
        return true;
      }
    }
    return false;
  }

  /** The innermost message: what SQLite said, without the wrappers' prefixes. */
  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replaceAll("\\s+", " ");
  }
}
