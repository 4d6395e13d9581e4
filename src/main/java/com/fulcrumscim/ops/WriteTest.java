package com.fulcrumscim.ops;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberFields;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * {@code check --write-test}: tries, through the client the reconciler uses, each Fulcrum API shape
 * the bridge relies on but Fulcrum does not document, on a throwaway member and groups (a second of
 * the same name, deleted at once) named with {@link #MARKER}. Everything it creates is deleted again, in {@code finally} and, when the JVM is
 * interrupted, by {@link #interrupt} from a shutdown hook; a leftover of a killed run is recognized
 * by its marker name and removed at the start of the next run.
 */
public final class WriteTest {
  /** In the throwaway member's email and the throwaway groups' names; nothing else carries it. */
  public static final String MARKER = "fulcrum-scim-write-test";
  private static final String GROUP_DESCRIPTION = "created by fulcrum-scim check --write-test; safe to delete";
  private static final String EMAIL_DOMAIN = "@example.com";

  /** One assumption and what Fulcrum did: {@code holds} false means the bridge would misbehave. */
  public record Finding(String assumption, boolean holds, String result, boolean informational) {
    public Finding(String assumption, boolean holds, String result) {
      this(assumption, holds, result, false);
    }

    /** What the bridge works with either way, at a cost it names: shown, never a failure of the test. */
    static Finding note(String assumption, String result) {
      return new Finding(assumption, true, result, true);
    }
  }

  private final FulcrumClient fulcrum;
  private final String nonce;
  private final Set<String> membersToDelete = new LinkedHashSet<>();
  private final Set<String> groupsToDelete = new LinkedHashSet<>();
  private final List<Finding> findings = new ArrayList<>();
  /** Per group member change sent: whether its answer carried the group's member_ids (the run's thread only). */
  private final List<Boolean> changeAnswers = new ArrayList<>();
  /** Held while a step runs, so an interruption lets the write in flight finish and then deletes its result too. */
  private final ReentrantLock step = new ReentrantLock();
  private volatile boolean interrupted;

  public WriteTest(FulcrumClient fulcrum, SecureRandom random) {
    this.fulcrum = fulcrum;
    byte[] bytes = new byte[4];
    random.nextBytes(bytes);
    this.nonce = HexFormat.of().formatHex(bytes);
  }

  /**
   * Runs the steps in order until one does not hold; whatever was created is deleted in any case.
   * Fulcrum unreachable, or refusing the token, ends the run with that {@link FulcrumException}.
   */
  public List<Finding> run() {
    try {
      removeLeftovers();
      steps();
    } finally {
      cleanUp();
    }
    synchronized (this) {
      return List.copyOf(findings);
    }
  }

  private void removeLeftovers() {
    List<FulcrumMember> oldMembers = fulcrum.members().stream().filter(m -> m.email() != null
        && m.email().toLowerCase(Locale.ROOT).startsWith(MARKER + "+")).toList();
    List<FulcrumGroup> oldGroups = fulcrum.groups().stream().filter(g -> g.name() != null && g.name().startsWith(MARKER)).toList();
    oldGroups.forEach(g -> fulcrum.deleteGroup(g.id()));
    oldMembers.forEach(m -> fulcrum.deleteMember(m.id(), null));
    if (!oldMembers.isEmpty() || !oldGroups.isEmpty()) {
      note(new Finding("leftovers of an interrupted earlier run are removed", true,
          "removed " + oldMembers.size() + " member(s) and " + oldGroups.size() + " group(s) named " + MARKER));
    }
  }

  private void steps() {
    String email = MARKER + "+" + nonce + EMAIL_DOMAIN;
    Optional<FulcrumMember> made = record("POST /memberships.json answers 2xx with {membership: {...}}", () -> {
      FulcrumMember m = fulcrum.createMember(new MemberFields(email, "Write", "Test", null));
      synchronized (this) {
        membersToDelete.add(m.id());
      }
      return check(m.email() != null && m.email().equalsIgnoreCase(email), "member " + m.id() + " created", m);
    });
    if (made.isEmpty()) {
      return;
    }
    FulcrumMember created = made.get();
    duplicateCreateIsRefused(email, created);

    if (record("PUT /memberships/{id}.json changes first_name and last_name", () -> {
      fulcrum.updateMember(created.id(), new MemberFields(null, "Renamed", "Tester", null));
      FulcrumMember read = fulcrum.member(created.id()).orElseThrow(() -> gone(created.id()));
      return check("Renamed".equals(read.firstName()) && "Tester".equals(read.lastName()),
          "names now '" + read.firstName() + " " + read.lastName() + "'", read);
    }).isEmpty()) {
      return;
    }

    Optional<FulcrumRole> otherRole = fulcrum.roles().stream()
        .filter(r -> !FulcrumRole.isOwner(r) && !r.id().equals(created.roleId())).findFirst();
    if (otherRole.isPresent()) {
      FulcrumRole role = otherRole.get();
      if (record("PUT /memberships/{id}.json with role_id changes the role", () -> {
        fulcrum.updateMember(created.id(), new MemberFields(null, null, null, role.id()));
        FulcrumMember read = fulcrum.member(created.id()).orElseThrow(() -> gone(created.id()));
        return check(role.id().equals(read.roleId()), "role now " + read.roleId() + " (asked for " + role.name() + ")", read);
      }).isEmpty()) {
        return;
      }
    } else {
      note(new Finding("PUT /memberships/{id}.json with role_id changes the role", false,
          "not tried: no role other than Owner and the member's own"));
    }

    String groupName = MARKER + " " + nonce;
    Optional<FulcrumGroup> madeGroup = record("POST /groups.json creates a group", () -> {
      FulcrumGroup g = fulcrum.createGroup(groupName, GROUP_DESCRIPTION);
      synchronized (this) {
        groupsToDelete.add(g.id());
      }
      return check(g.id() != null, "group " + g.id() + " created", g);
    });
    if (madeGroup.isEmpty()) {
      return;
    }
    FulcrumGroup group = madeGroup.get();
    boolean holds = groupSteps(group, created, groupName) && memberDeletedInTheGroup(group, created);
    changeAnswersCarryMemberIds();
    if (!holds) {
      return;
    }
    record("DELETE /groups/{id}.json deletes the group", () -> {
      fulcrum.deleteGroup(group.id());
      boolean gone = fulcrum.group(group.id()).isEmpty();
      if (gone) {
        synchronized (this) {
          groupsToDelete.remove(group.id());
        }
      }
      return check(gone, gone ? "gone" : "still there", group);
    });
  }

  /**
   * Owner auto-add, set and clear the members, then a second group of the same name and a rename;
   * true while every step the rest depends on holds.
   */
  private boolean groupSteps(FulcrumGroup group, FulcrumMember created, String name) {
    if (!memberSteps(group, created)) {
      return false;
    }
    sameNameIsAccepted(group, name);
    renameIsMade(group, name + " renamed");
    return true;
  }

  /**
   * The member is deleted while still in the group, as every deprovisioning of a group member is,
   * and the group read back; true when the member is gone.
   */
  private boolean memberDeletedInTheGroup(FulcrumGroup group, FulcrumMember created) {
    boolean deleted = record("DELETE /memberships/{id}.json answers 2xx and removes the member", () -> {
      changeMembers(group, List.of(created.id()), List.of());
      fulcrum.deleteMember(created.id(), null);
      boolean gone = fulcrum.member(created.id()).isEmpty();
      if (gone) {
        synchronized (this) {
          membersToDelete.remove(created.id());
        }
      }
      return check(gone, gone ? "gone" : "still there", created);
    }).isPresent();
    if (deleted) {
      record("DELETE /memberships/{id}.json of a member still in a group takes its id out of the group's member_ids",
          "the bridge leaves an id the organization no longer has out of the group member changes it sends (it gives no"
              + " access, and Fulcrum would refuse the whole change), reading such ids again at each push of the group (one"
              + " call more); the group keeps listing deprovisioned people's ids: tell the bridge's maintainers", () -> {
            FulcrumGroup read = fulcrum.group(group.id()).orElseThrow(() -> gone(group.id()));
            return !read.membersKnown() ? membersLeftOut(read) : check(!read.memberIds().contains(created.id()),
                read.memberIds().contains(created.id()) ? "the group still lists " + created.id() : "members now " + read.memberIds(), read);
          });
    }
    return deleted;
  }

  /**
   * A second group named as {@code first}: the README lets a managed group share its name with an
   * unmanaged one. An answer naming {@code first} itself (a create that finds by name) is no second
   * group, and is not deleted: it is the run's own, whose later steps still need it.
   */
  private void sameNameIsAccepted(FulcrumGroup first, String name) {
    record("POST /groups.json makes a new group under a name another group already has",
        "a group pushed from Okta/Entra under the name of a Fulcrum group the bridge does not manage is refused (its row"
            + " ends DEAD), and so is a rename to such a name: give the Fulcrum group another name; or, answered with the"
            + " existing group, the bridge would take that group for the one it made: do not push groups", () -> {
          FulcrumGroup twin = fulcrum.createGroup(name, GROUP_DESCRIPTION);
          if (twin.id().equals(first.id())) {
            return check(false, "answered with the existing group " + first.id() + ", no new one", twin);
          }
          synchronized (this) {
            groupsToDelete.add(twin.id());
          }
          fulcrum.deleteGroup(twin.id());
          if (fulcrum.group(twin.id()).isEmpty()) {
            synchronized (this) {
              groupsToDelete.remove(twin.id());
            }
          }
          return check(true, "accepted (group " + twin.id() + ", deleted again)", twin);
        });
  }

  /** Every group renamed in Okta/Entra is renamed in Fulcrum by this call. */
  private void renameIsMade(FulcrumGroup group, String renamed) {
    record("PUT /groups/{id}.json renames the group",
        "groups renamed in Okta/Entra keep their old names in Fulcrum: refused, the group's row ends DEAD naming the rename"
            + " (after its member change); ignored, the bridge sends the rename again at every push of the group", () -> {
          fulcrum.renameGroup(group.id(), renamed);
          FulcrumGroup read = fulcrum.group(group.id()).orElseThrow(() -> gone(group.id()));
          return check(renamed.equals(read.name()), "name now '" + read.name() + "'", read);
        });
  }

  private boolean memberSteps(FulcrumGroup group, FulcrumMember created) {
    // not a step the rest depends on: without it the bridge blocks a group create in doubt, nothing worse
    record("GET /groups/{id}.json answers the group's description (the bridge knows its own groups by it)", () -> {
      FulcrumGroup read = fulcrum.group(group.id()).orElseThrow(() -> gone(group.id()));
      return check(GROUP_DESCRIPTION.equals(read.description()), read.description() == null
          ? "left out: a group create whose answer was lost would be blocked (DEAD) rather than recognised" : "it does", read);
    });
    return record("a new group may start with the token owner in it (the bridge takes it out)", () -> {
      FulcrumGroup read = fulcrum.group(group.id()).orElseThrow(() -> gone(group.id()));
      // informational either way: the bridge removes an auto-added owner from groups it manages
      return !read.membersKnown() ? membersLeftOut(read) : check(true, read.memberIds().isEmpty() ? "no: the new group is empty"
          : "it starts with " + read.memberIds(), read);
    }).isPresent()
        && firstChange(group, created)
        && record("group_members add of a member already in the group is accepted (no 422)", () -> {
          // the bridge repeats a member change whose answer was lost: its adds may be there already
          changeMembers(group, List.of(created.id()), List.of());
          return check(true, "accepted", group);
        }).isPresent()
        && record("group_members remove takes the member out again", () -> {
          changeMembers(group, List.of(), List.of(created.id()));
          FulcrumGroup read = fulcrum.group(group.id()).orElseThrow(() -> gone(group.id()));
          return !read.membersKnown() ? membersLeftOut(read)
              : check(!read.memberIds().contains(created.id()), "members now " + read.memberIds(), read);
        }).isPresent()
        && record("group_members remove of a non-member is accepted (no 422)", () -> {
          changeMembers(group, List.of(), List.of(created.id()));
          return check(true, "accepted", group);
        }).isPresent();
  }

  /**
   * The new group's first member change as the bridge sends it (Applier.createGroup): its adds with
   * the token owner's removal, all or nothing, whether or not Fulcrum put the owner in.
   */
  private boolean firstChange(FulcrumGroup group, FulcrumMember created) {
    Optional<String> owner = ownerMembership();
    return record("group_members add puts a member in the group, and takes the token owner out in the same change",
        "the bridge sends that removal with every new group's first adds: refused, none of them is made (the row ends DEAD"
            + " after 2 replans); kept, the change reads back as not made and is retried (about 130 times a day per group)", () -> {
          changeMembers(group, List.of(created.id()), owner.map(List::of).orElse(List.of()));
          FulcrumGroup read = fulcrum.group(group.id()).orElseThrow(() -> gone(group.id()));
          if (!read.membersKnown()) {
            return membersLeftOut(read);
          }
          boolean ownerOut = owner.filter(read.memberIds()::contains).isEmpty();
          return check(read.memberIds().contains(created.id()) && ownerOut, "members now " + read.memberIds()
              + (owner.isEmpty() ? " (the token owner's membership was not found: no removal sent)"
                  : ownerOut ? "" : ", the token owner " + owner.get() + " still among them"), read);
        }).isPresent();
  }

  /** The token owner's membership, by its account id, else by its email (as the bridge finds it). */
  private Optional<String> ownerMembership() {
    FulcrumUser owner = fulcrum.tokenOwner();
    List<FulcrumMember> members = fulcrum.members();
    return members.stream().filter(m -> owner.id() != null && owner.id().equals(m.userId())).findFirst()
        .or(() -> members.stream().filter(m -> m.email() != null && m.email().equalsIgnoreCase(owner.email())).findFirst())
        .map(FulcrumMember::id);
  }

  private void changeMembers(FulcrumGroup group, List<String> add, List<String> remove) {
    changeAnswers.add(fulcrum.changeGroupMembers(group.id(), add, remove));
  }

  /**
   * Whether Fulcrum's answers to the member changes carried the group's member_ids (the API
   * reference's example does; its docs promise no body). Without them the bridge works, at a cost:
   * it reads every group member change back, so that one Fulcrum took without making is not
   * recorded as done. Noted once the first change was sent.
   */
  private void changeAnswersCarryMemberIds() {
    if (changeAnswers.isEmpty()) {
      return;
    }
    long without = changeAnswers.stream().filter(shown -> !shown).count();
    // A note, not a DIFFERS: Fulcrum's docs promise no body, and a Fulcrum that follows them must pass the test.
    note(Finding.note("group member change answers carry the group's member_ids", without == 0
        ? "they do: each change is confirmed by its answer, at no extra call"
        : without + " of " + changeAnswers.size() + " answered without them: every group member change is read back,"
            + " one more call each (one read of the group list per cycle for several groups)"));
  }

  /**
   * A second create of a member's email must be refused: answered 2xx with that member (or a new
   * one), the bridge would take a member invited by hand for its own create, link it, and remove
   * it on a deactivation. Informational for the steps after it, which go on either way.
   */
  private void duplicateCreateIsRefused(String email, FulcrumMember created) {
    record("POST /memberships.json with an email already a member is refused (422)", () -> {
      FulcrumMember again;
      try {
        again = fulcrum.createMember(new MemberFields(email, "Write", "Test", null));
      } catch (FulcrumException.Rejected refused) {
        return check(true, "refused: " + refused.detail(), created);
      }
      boolean same = again.id().equals(created.id());
      if (!same) {
        synchronized (this) {
          membersToDelete.add(again.id());
        }
      }
      return check(false, "answered 2xx with " + (same ? "the existing member " : "a second member ") + again.id(), created);
    });
  }

  /**
   * For a shutdown hook: no further step starts, the one in flight finishes (so what it creates is
   * known), then everything created is deleted.
   */
  public void interrupt() {
    interrupted = true;
    boolean locked = false;
    try {
      locked = step.tryLock(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      cleanUp();
    } finally {
      if (locked) {
        step.unlock();
      }
    }
  }

  /** Deletes whatever this run created and has not deleted yet; safe to call twice, from any thread. */
  public synchronized void cleanUp() {
    for (String id : List.copyOf(groupsToDelete)) {
      try {
        fulcrum.deleteGroup(id);
        groupsToDelete.remove(id);
      } catch (FulcrumException e) {
        findings.add(new Finding("clean-up", false, "could not delete group " + id + " (" + MARKER + " " + nonce
            + "): " + e.getMessage() + "; the next --write-test removes it"));
      }
    }
    for (String id : List.copyOf(membersToDelete)) {
      try {
        fulcrum.deleteMember(id, null);
        membersToDelete.remove(id);
      } catch (FulcrumException e) {
        findings.add(new Finding("clean-up", false, "could not delete member " + id + " (" + MARKER + "+" + nonce
            + EMAIL_DOMAIN + "): " + e.getMessage() + "; the next --write-test removes it"));
      }
    }
  }

  private record Outcome<T>(boolean holds, String result, T value) {}

  /** A group read without member_ids: the bridge cannot manage such a group's members. */
  private static Outcome<FulcrumGroup> membersLeftOut(FulcrumGroup read) {
    return check(false, "GET /groups/{id}.json?associations=true answered without member_ids", read);
  }

  private static <T> Outcome<T> check(boolean holds, String result, T value) {
    return new Outcome<>(holds, result, value);
  }

  /**
   * Runs one step and notes its finding; empty when it did not hold or Fulcrum refused it, which
   * ends the run. Unreachable or unauthorized propagates: no finding can be made then.
   */
  private <T> Optional<T> record(String assumption, Supplier<Outcome<T>> action) {
    return record(assumption, null, action);
  }

  /** As {@link #record(String, Supplier)}; a finding that does not hold ends with {@code otherwise}, what the bridge does then. */
  private <T> Optional<T> record(String assumption, String otherwise, Supplier<Outcome<T>> action) {
    String then = otherwise == null ? "" : ": " + otherwise;
    Outcome<T> outcome;
    step.lock();
    try {
      if (interrupted) {
        return Optional.empty();
      }
      outcome = action.get();
    } catch (FulcrumException.Rejected | FulcrumException.NotFound | FulcrumException.Forbidden e) {
      note(new Finding(assumption, false, e.getMessage() + then));
      return Optional.empty();
    } finally {
      step.unlock();
    }
    note(new Finding(assumption, outcome.holds(), outcome.holds() ? outcome.result() : outcome.result() + then));
    return outcome.holds() ? Optional.of(outcome.value()) : Optional.empty();
  }

  private synchronized void note(Finding finding) {
    findings.add(finding);
  }

  private static FulcrumException.NotFound gone(String id) {
    return new FulcrumException.NotFound(id + " (just written, then not found)");
  }
}
