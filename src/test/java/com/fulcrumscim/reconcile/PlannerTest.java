package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredGroup.Member;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.ResourceKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The diff as a table: (state, context) → plan. Each row is one rule. */
class PlannerTest {
  static final List<FulcrumRole> ROLES = List.of(
      new FulcrumRole("r-owner", "Owner", true, false),
      new FulcrumRole("r-manager", "Manager", true, false),
      new FulcrumRole("r-standard", "Standard User", true, true),
      new FulcrumRole("r-creator", "Record Creator", true, false));
  static final FulcrumUser OWNER = new FulcrumUser("uid-owner", "owner@corp.example", "Olive", "Owner");
  static final PlanContext CTX = context(false, true, Map.of(), "");
  static final Planner planner = new Planner();

  static PlanContext context(boolean adopt, boolean groupsPush, Map<String, String> roleMap, String defaultRole) {
    return new PlanContext(OWNER, "m-owner", true, new RoleTable(ROLES, roleMap, defaultRole, false), adopt, null, groupsPush);
  }

  static DesiredUser alice(String role, boolean active) {
    return new DesiredUser("u1", "alice@corp.example", "alice@corp.example", "Alice", "Archer", role, active, null);
  }

  static FulcrumMember member(String id, String email, String first, String last, String roleId) {
    return new FulcrumMember(id, "uid-" + id, email, first, last, roleId, null, false, "active");
  }

  static final FulcrumMember ALICE_IN_FULCRUM = member("m1", "alice@corp.example", "Alice", "Archer", "r-standard");
  static final FulcrumMember OWNER_IN_FULCRUM = new FulcrumMember("m-owner", "uid-owner", "owner@corp.example",
      "Olive", "Owner", "r-owner", null, false, "active");
  /** The same person invited again by hand after m1 was removed. */
  static final FulcrumMember ALICE_AGAIN = member("m2", "alice@corp.example", "Alice", "Archer", "r-standard");
  /** Alice's tombstone: deleted in Okta, her last userName and email kept. */
  static final DeletedUser ALICE_DELETED = new DeletedUser("u1", "alice@corp.example", "alice@corp.example", null);
  static final Link LINK_M1 = new Link("u1", "m1", Action.Link.Origin.CREATED, Instant.EPOCH, null);
  static final Intent INTENT = new Intent("u1", "alice@corp.example", Set.of(), Instant.EPOCH);
  /** Alice pushed again by Okta under a new id, u2: the member with her email is being given to u2. */
  static final EmailClaims.Claim ALICE_AS_U2 = new EmailClaims.Claim.ActiveUser(ResourceKey.user("u2"), "alice2");
  /** u2's create made the member and is not linked yet. */
  static final EmailClaims.Claim U2_CREATING = new EmailClaims.Claim.Creating(ResourceKey.user("u2"));

  /** Alice's link to m1, the bridge holding {@code roleId} for Okta. */
  static Link holding(String roleId) {
    return new Link("u1", "m1", Action.Link.Origin.CREATED, Instant.EPOCH, roleId);
  }

  static UserState user(DesiredUser d, Link link, FulcrumMember linked, FulcrumMember byEmail) {
    return new UserState("u1", d, null, link, linked, byEmail, null, null, null);
  }

  static Stream<Arguments> users() {
    return Stream.of(
        row("a new user is created with email, names and the default role",
            user(alice(null, true), null, null, null), CTX,
            Plan.of(new Action.CreateMember(new MemberFields("alice@corp.example", "Alice", "Archer", "r-standard")))),
        row("a linked member that matches needs nothing",
            user(alice("Standard User", true), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX, Plan.of()),
        row("a changed first name sends only the first name",
            user(new DesiredUser("u1", "a", "alice@corp.example", "Alicia", "Archer", null, true, null), LINK_M1,
                ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX,
            Plan.of(new Action.UpdateMember("m1", new MemberFields(null, "Alicia", null, null)))),
        row("an email differing only in case is not a change",
            user(new DesiredUser("u1", "a", "ALICE@corp.example", "Alice", "Archer", null, true, null), LINK_M1,
                ALICE_IN_FULCRUM, null), CTX, Plan.of()),
        row("a role change sends only the role id, matched case-insensitively, the bridge holding that role for Okta before it",
            user(alice("manager", true), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX,
            Plan.of(new Action.RememberRole("r-manager"),
                new Action.UpdateMember("m1", new MemberFields(null, null, null, "r-manager")))),
        row("roles.map translates Okta's role name, and the new member's role is held for Okta",
            user(alice("admin", true), null, null, null), context(false, true, Map.of("Admin", "Manager"), ""),
            Plan.of(new Action.CreateMember(new MemberFields("alice@corp.example", "Alice", "Archer", "r-manager")),
                new Action.RememberRole("r-manager"))),
        row("roles.default applies to a user without a role",
            user(alice(null, true), null, null, null), context(false, true, Map.of(), "record creator"),
            Plan.of(new Action.CreateMember(new MemberFields("alice@corp.example", "Alice", "Archer", "r-creator")))),
        row("an unknown role creates the member with the default role and refuses the role with the valid names",
            user(alice("Wizard", true), null, null, null), CTX,
            Plan.of(new Action.CreateMember(new MemberFields("alice@corp.example", "Alice", "Archer", "r-standard")),
                new Action.Refuse("user alice@corp.example: role 'Wizard' is not a Fulcrum role; valid roles: "
                    + "Manager, Record Creator, Standard User; the member keeps its role (a new member gets the default role)"))),
        row("an unknown role still sends the name change and refuses only the role",
            user(new DesiredUser("u1", "alice@corp.example", "alice@corp.example", "Alicia", "Archer", "Wizard", true, null),
                LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX,
            Plan.of(new Action.UpdateMember("m1", new MemberFields(null, "Alicia", null, null)),
                new Action.Refuse("user alice@corp.example: role 'Wizard' is not a Fulcrum role; valid roles: "
                    + "Manager, Record Creator, Standard User; the member keeps its role (a new member gets the default role)"))),
        row("Okta cannot grant Owner",
            user(alice("owner", true), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX,
            Plan.of(new Action.Refuse("user alice@corp.example: role 'owner' is Owner, which the bridge does not grant "
                + "(roles.allow_owner: false); valid roles: Manager, Record Creator, Standard User; "
                + "the member keeps its role (a new member gets the default role)"))),
        row("roles.map cannot lead to Owner either",
            user(alice("admin", true), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM),
            context(false, true, Map.of("admin", "Owner"), ""),
            Plan.of(new Action.Refuse("user alice@corp.example: role 'admin' (roles.map: 'Owner') is Owner, which the "
                + "bridge does not grant (roles.allow_owner: false); valid roles: Manager, Record Creator, Standard User; "
                + "the member keeps its role (a new member gets the default role)"))),
        row("a roles.default of Owner creates nobody",
            user(alice(null, true), null, null, null), context(false, true, Map.of(), "Owner"),
            Plan.blocked("user alice@corp.example: roles.default 'Owner' is Owner, which the bridge does not grant "
                + "(roles.allow_owner: false); valid roles: Manager, Record Creator, Standard User")),
        row("with roles.allow_owner Okta may grant Owner",
            user(alice("Owner", true), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM),
            new PlanContext(OWNER, "m-owner", true, new RoleTable(ROLES, Map.of(), "", true), false, null, true),
            Plan.of(new Action.RememberRole("r-owner"), new Action.UpdateMember("m1", new MemberFields(null, null, null, "r-owner")))),
        row("a member made Owner by hand whom Okta also calls Owner needs nothing",
            user(alice("Owner", true), LINK_M1, member("m1", "alice@corp.example", "Alice", "Archer", "r-owner"), null),
            CTX, Plan.of()),
        row("a user without a role leaves a role the bridge never gave (set in Fulcrum) alone, whatever roles.default says",
            user(alice(null, true), LINK_M1, member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null),
            context(false, true, Map.of(), "Record Creator"), Plan.of()),
        row("a role Okta no longer names is taken back: the member that still has it gets roles.default, and the bridge holds none",
            user(alice(null, true), holding("r-manager"), member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null),
            context(false, true, Map.of(), "Record Creator"),
            Plan.of(new Action.UpdateMember("m1", new MemberFields(null, null, null, "r-creator"), true), new Action.RememberRole(null))),
        row("a role Okta sends blank is taken back to Fulcrum's default role without roles.default, in the one update with the names",
            user(new DesiredUser("u1", "alice@corp.example", "alice@corp.example", "Alicia", "Archer", " ", true, null),
                holding("r-manager"), member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null), CTX,
            Plan.of(new Action.UpdateMember("m1", new MemberFields(null, "Alicia", null, "r-standard"), true), new Action.RememberRole(null))),
        row("Owner given for Okta (roles.allow_owner) is taken back like any role once Okta names none",
            user(alice(null, true), holding("r-owner"), member("m1", "alice@corp.example", "Alice", "Archer", "r-owner"), null),
            new PlanContext(OWNER, "m-owner", true, new RoleTable(ROLES, Map.of(), "", true), false, null, true),
            Plan.of(new Action.UpdateMember("m1", new MemberFields(null, null, null, "r-standard"), true), new Action.RememberRole(null))),
        row("a role Okta changes by name, even down to the default role, is no take-back: Okta asked for it",
            user(alice("Standard User", true), holding("r-manager"),
                member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null), CTX,
            Plan.of(new Action.RememberRole("r-standard"),
                new Action.UpdateMember("m1", new MemberFields(null, null, null, "r-standard"), false))),
        row("a role Okta no longer names but changed by hand since stays, and the bridge lets go of the role it gave",
            user(alice(null, true), holding("r-manager"), member("m1", "alice@corp.example", "Alice", "Archer", "r-creator"), null),
            CTX, Plan.of(new Action.RememberRole(null))),
        row("a role Okta no longer names that is already the default role is not sent again; the bridge only lets go of it",
            user(alice(null, true), holding("r-standard"), ALICE_IN_FULCRUM, null), CTX, Plan.of(new Action.RememberRole(null))),
        row("a role Okta no longer names is not taken back to a roles.default of Owner: refused, the member keeps its role",
            user(alice(null, true), holding("r-manager"), member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null),
            context(false, true, Map.of(), "Owner"),
            Plan.of(new Action.Refuse("user alice@corp.example: Okta names no role any more, so the role the bridge gave is to be"
                + " taken back, but roles.default 'Owner' is Owner, which the bridge does not grant (roles.allow_owner: false);"
                + " valid roles: Manager, Record Creator, Standard User; the member keeps its role"))),
        row("the token owner's managed membership keeps the role the bridge gave when Okta names none",
            user(new DesiredUser("u1", "olive", "owner@corp.example", "Olive", "Owner", null, true, null),
                new Link("u1", "m-owner", Action.Link.Origin.CREATED, Instant.EPOCH, "r-owner"), OWNER_IN_FULCRUM, OWNER_IN_FULCRUM),
            CTX,
            Plan.skip("user olive is managed as owner@corp.example, the Fulcrum API token's owner, whose membership "
                + "the bridge never changes (edit it in Fulcrum)")),
        row("Okta naming the role the member already has, while the bridge holds another, makes the bridge hold the one named",
            user(alice("Record Creator", true), holding("r-manager"),
                member("m1", "alice@corp.example", "Alice", "Archer", "r-creator"), null), CTX,
            Plan.of(new Action.RememberRole("r-creator"))),
        row("Okta naming the role a member has by hand gives the bridge no role to take back later",
            user(alice("Manager", true), LINK_M1, member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null),
            CTX, Plan.of()),
        row("the token owner's managed membership is never updated, in any field",
            user(new DesiredUser("u1", "olive", "owner@corp.example", "Olivia", "Owner", "Record Creator", true, null),
                new Link("u1", "m-owner", Action.Link.Origin.CREATED, Instant.EPOCH, null), OWNER_IN_FULCRUM, OWNER_IN_FULCRUM),
            CTX,
            Plan.skip("user olive is managed as owner@corp.example, the Fulcrum API token's owner, whose membership "
                + "the bridge never changes (edit it in Fulcrum)")),
        row("a deactivated linked user is removed, then unlinked",
            user(alice(null, false), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX,
            Plan.of(new Action.RemoveMember("m1", null), new Action.Unlink("m1",
                "member m1 (alice@corp.example when last listed) removed from Fulcrum; the user was deactivated in Okta"))),
        row("a deleted user whose member is already gone is only unlinked",
            user(null, LINK_M1, null, null), CTX, Plan.of(new Action.Unlink("m1",
                "the linked member is already gone from Fulcrum; the user was deleted in Okta"))),
        row("a deactivated user whose member was removed and invited again by hand is blocked, naming the member that keeps access",
            user(alice(null, false), LINK_M1, null, ALICE_AGAIN), CTX,
            Plan.blockedKeepingAccess("user alice@corp.example: the user was deactivated in Okta, but Fulcrum member m2 "
                + "(alice@corp.example), not managed by the bridge, still has access. The bridge's member m1 is already gone "
                + "(removed by hand); this one was invited by hand and is left untouched. Remove it in Fulcrum, or set "
                + "users.adopt_existing: true to have the bridge adopt and remove it; then `fulcrum-scim journal retry user/u1`", "m2")),
        row("with adoption, a member invited again by hand after the linked one was removed is adopted (its link "
                + "replacing the stale one in one write) and removed",
            user(alice(null, false), LINK_M1, null, ALICE_AGAIN), context(true, true, Map.of(), ""),
            Plan.of(new Action.Link("m2", Action.Link.Origin.ADOPTED, new Action.Unlink("m1", "the linked member is already "
                    + "gone from Fulcrum; alice@corp.example was invited again by hand as m2, adopted to be removed "
                    + "(users.adopt_existing: true)")),
                new Action.RemoveMember("m2", null),
                new Action.Unlink("m2", "member m2 (alice@corp.example when last listed) removed from Fulcrum; the user was deactivated in Okta"))),
        row("a deleted user whose member was removed and invited again by hand is blocked, named by its tombstone",
            new UserState("u1", null, ALICE_DELETED, LINK_M1, null, ALICE_AGAIN, null, null, null), CTX,
            Plan.blockedKeepingAccess("user alice@corp.example: the user was deleted in Okta, but Fulcrum member m2 "
                + "(alice@corp.example), not managed by the bridge, still has access. The bridge's member m1 is already gone "
                + "(removed by hand); this one was invited by hand and is left untouched. Remove it in Fulcrum, or set "
                + "users.adopt_existing: true to have the bridge adopt and remove it; then `fulcrum-scim journal retry user/u1`", "m2")),
        row("with adoption, a deleted user's member invited again by hand is adopted and removed",
            new UserState("u1", null, ALICE_DELETED, LINK_M1, null, ALICE_AGAIN, null, null, null), context(true, true, Map.of(), ""),
            Plan.of(new Action.Link("m2", Action.Link.Origin.ADOPTED, new Action.Unlink("m1", "the linked member is already "
                    + "gone from Fulcrum; alice@corp.example was invited again by hand as m2, adopted to be removed "
                    + "(users.adopt_existing: true)")),
                new Action.RemoveMember("m2", null),
                new Action.Unlink("m2", "member m2 (alice@corp.example when last listed) removed from Fulcrum; the user was deleted in Okta"))),
        row("a deactivated user whose member is gone and whose email the token owner's membership now has is the owner"
                + " leaving: blocked, never adopted to be removed",
            user(new DesiredUser("u1", "o", "owner@corp.example", "O", "O", null, false, null), LINK_M1, null, OWNER_IN_FULCRUM),
            context(true, true, Map.of(), ""), ownerLeft("o", "the user was deactivated in Okta")),
        row("a deactivated user whose member is gone leaves a member another SCIM user manages to that user, saying so",
            new UserState("u1", alice(null, false), null, LINK_M1, null, ALICE_AGAIN, "u9", null, null), context(true, true, Map.of(), ""),
            Plan.of(new Action.Unlink("m1", "the linked member is already gone from Fulcrum; the user was deactivated in Okta; "
                + "Fulcrum member m2 (alice@corp.example) is left in place: it belongs to user/u9, which manages it"))),
        row("a deactivated user whose member is gone leaves a member an active user with its email is given, saying so",
            new UserState("u1", alice(null, false), null, LINK_M1, null, ALICE_AGAIN, null, ALICE_AS_U2, null), CTX,
            Plan.of(new Action.Unlink("m1", "the linked member is already gone from Fulcrum; the user was deactivated in Okta; "
                + "Fulcrum member m2 (alice@corp.example) is left in place: it belongs to active user/u2 (alice2) with this email"))),
        row("with adoption, a member an active user with the email is given is not adopted to be removed",
            new UserState("u1", alice(null, false), null, LINK_M1, null, ALICE_AGAIN, null, ALICE_AS_U2, null),
            context(true, true, Map.of(), ""),
            Plan.of(new Action.Unlink("m1", "the linked member is already gone from Fulcrum; the user was deactivated in Okta; "
                + "Fulcrum member m2 (alice@corp.example) is left in place: it belongs to active user/u2 (alice2) with this email"))),
        row("a deleted user whose member is gone leaves a member another user's create made, saying so",
            new UserState("u1", null, ALICE_DELETED, LINK_M1, null, ALICE_AGAIN, null, U2_CREATING, null), CTX,
            Plan.of(new Action.Unlink("m1", "the linked member is already gone from Fulcrum; the user was deleted in Okta; "
                + "Fulcrum member m2 (alice@corp.example) is left in place: it belongs to user/u2, whose create made it (not linked yet)"))),
        row("with adoption, a member another user's create made is not adopted to be removed",
            new UserState("u1", null, ALICE_DELETED, LINK_M1, null, ALICE_AGAIN, null, U2_CREATING, null),
            context(true, true, Map.of(), ""),
            Plan.of(new Action.Unlink("m1", "the linked member is already gone from Fulcrum; the user was deleted in Okta; "
                + "Fulcrum member m2 (alice@corp.example) is left in place: it belongs to user/u2, whose create made it (not linked yet)"))),
        row("a deactivated user never pushed whose email no member has needs nothing",
            user(alice(null, false), null, null, null), CTX, Plan.of()),
        row("a deactivated user never linked whose email a member the bridge does not manage has is blocked, naming the"
                + " member that keeps access",
            user(alice(null, false), null, null, ALICE_IN_FULCRUM), CTX,
            Plan.blockedKeepingAccess("user alice@corp.example: the user was deactivated in Okta, but Fulcrum member m1 "
                + "(alice@corp.example), not managed by the bridge, still has access. No link of the bridge's points to it (the"
                + " user's push failed or never ran, or its link was lost), so it is left untouched. Remove it in Fulcrum, or"
                + " set users.adopt_existing: true to have the bridge adopt and remove it; then `fulcrum-scim journal retry"
                + " user/u1`", new Plan.IfMadeForIt("m1", "user alice@corp.example: the user was deactivated in Okta, but"
                + " Fulcrum member m1 (alice@corp.example), not managed by the bridge, still has access. The bridge made that"
                + " member for this user (its audit says so) and has lost the link since (an older backup restored, say): the"
                + " next resync apply (the scheduled one, or `fulcrum-scim resync`) removes it as the bridge's orphan, within"
                + " the mass-removal guard, and runs this change again, which then ends done"))),
        row("a deleted user never linked whose last email a member the bridge does not manage has is blocked, named by its"
                + " tombstone",
            new UserState("u1", null, ALICE_DELETED, null, null, ALICE_IN_FULCRUM, null, null, null), CTX,
            Plan.blockedKeepingAccess("user alice@corp.example: the user was deleted in Okta, but Fulcrum member m1 "
                + "(alice@corp.example), not managed by the bridge, still has access. No link of the bridge's points to it (the"
                + " user's push failed or never ran, or its link was lost), so it is left untouched. Remove it in Fulcrum, or"
                + " set users.adopt_existing: true to have the bridge adopt and remove it; then `fulcrum-scim journal retry"
                + " user/u1`", new Plan.IfMadeForIt("m1", "user alice@corp.example: the user was deleted in Okta, but"
                + " Fulcrum member m1 (alice@corp.example), not managed by the bridge, still has access. The bridge made that"
                + " member for this user (its audit says so) and has lost the link since (an older backup restored, say): the"
                + " next resync apply (the scheduled one, or `fulcrum-scim resync`) removes it as the bridge's orphan, within"
                + " the mass-removal guard, and runs this change again, which then ends done"))),
        row("with adoption, a member with the email of a deactivated user never linked is adopted and removed",
            user(alice(null, false), null, null, ALICE_IN_FULCRUM), context(true, true, Map.of(), ""),
            Plan.of(new Action.Link("m1", Action.Link.Origin.ADOPTED), new Action.RemoveMember("m1", null),
                new Action.Unlink("m1", "member m1 (alice@corp.example when last listed) removed from Fulcrum; the user was deactivated in Okta"))),
        row("a deactivated user never linked leaves a member another SCIM user manages to that user",
            new UserState("u1", alice(null, false), null, null, null, ALICE_IN_FULCRUM, "u9", null, null),
            context(true, true, Map.of(), ""), Plan.of()),
        row("a deleted user never linked leaves a member an active user with its email is given to that user",
            new UserState("u1", null, ALICE_DELETED, null, null, ALICE_IN_FULCRUM, null, ALICE_AS_U2, null),
            context(true, true, Map.of(), ""), Plan.of()),
        row("an unmanaged member with the email is left alone when adoption is off",
            user(alice(null, true), null, null, ALICE_IN_FULCRUM), CTX,
            notManaged()),
        row("an unmanaged member with the email is adopted when adoption is on",
            user(alice(null, true), null, null, ALICE_IN_FULCRUM), context(true, true, Map.of(), ""),
            Plan.of(new Action.Link("m1", Action.Link.Origin.ADOPTED))),
        row("an unmanaged member with the email of a user whose linked member is gone is adopted in the write that drops the stale link",
            user(alice(null, true), LINK_M1, null, ALICE_AGAIN), context(true, true, Map.of(), ""),
            Plan.of(new Action.Link("m2", Action.Link.Origin.ADOPTED,
                new Action.Unlink("m1", "the linked member is gone from Fulcrum")))),
        row("the token owner is never adopted: skipped with the reason, not failed",
            user(new DesiredUser("u1", "o", "Owner@corp.example", "O", "O", null, true, null), null, null, OWNER_IN_FULCRUM),
            context(true, true, Map.of(), ""),
            Plan.skip("user o: owner@corp.example is the Fulcrum API token's owner, whose membership the bridge never adopts or changes")),
        row("the token owner is never removed: blocked, saying the owner keeps access",
            user(alice(null, false), new Link("u1", "m-owner", Action.Link.Origin.ADOPTED, Instant.EPOCH, null),
                OWNER_IN_FULCRUM, null), CTX, ownerLeft("alice@corp.example", "the user was deactivated in Okta")),
        row("the token owner's own Okta user deactivated, never linked, is blocked as a linked one is, not skipped",
            user(new DesiredUser("u1", "o", "Owner@corp.example", "O", "O", null, false, null), null, null, OWNER_IN_FULCRUM),
            context(true, true, Map.of(), ""), ownerLeft("o", "the user was deactivated in Okta")),
        row("the token owner's own Okta user deleted, never linked, is blocked, named by its tombstone",
            new UserState("u1", null, new DeletedUser("u1", "o", "owner@corp.example", null), null, null, OWNER_IN_FULCRUM, null,
                null, null), CTX, ownerLeft("o", "the user was deleted in Okta")),
        row("a member with the owner's email but another account id is removed once the list has shown the owner's id",
            user(alice(null, false), LINK_M1, member("m1", "owner@corp.example", "Bob", "Byrne", "r-standard"), null), CTX,
            Plan.of(new Action.RemoveMember("m1", null), new Action.Unlink("m1",
                "member m1 (owner@corp.example when last listed) removed from Fulcrum; the user was deactivated in Okta"))),
        row("without the owner's id in the member list, the owner's email still protects the membership",
            user(alice(null, false), LINK_M1, member("m1", "owner@corp.example", "Olive", "Owner", "r-owner"), null),
            new PlanContext(OWNER, null, false, new RoleTable(ROLES, Map.of(), "", false), false, null, true),
            ownerLeft("alice@corp.example", "the user was deactivated in Okta", "m1")),
        row("a create in doubt finds its member and links it",
            new UserState("u1", alice(null, true), null, null, null, ALICE_IN_FULCRUM, null, null, INTENT), CTX,
            Plan.of(new Action.Link("m1", Action.Link.Origin.CREATED))),
        row("a create in doubt that made its member with Okta's role links it holding that role",
            new UserState("u1", alice("Manager", true), null, null, null,
                member("m1", "alice@corp.example", "Alice", "Archer", "r-manager"), null, null, INTENT), CTX,
            Plan.of(new Action.Link("m1", Action.Link.Origin.CREATED), new Action.RememberRole("r-manager"))),
        row("a member that existed before the intent is not taken for ours",
            new UserState("u1", alice(null, true), null, null, null, ALICE_IN_FULCRUM, null, null,
                new Intent("u1", "alice@corp.example", Set.of("m1"), Instant.EPOCH)), CTX,
            notManaged()),
        row("a create in doubt for a user since deleted removes what it made",
            new UserState("u1", null, null, null, null, ALICE_IN_FULCRUM, null, null, INTENT), CTX,
            Plan.of(new Action.RemoveMember("m1", null), new Action.Unlink("m1",
                "removed the member an unfinished create made; the user was deleted in Okta"))),
        row("a create in doubt for a user since deleted leaves what it may have made to the active user with its email",
            new UserState("u1", null, ALICE_DELETED, null, null, ALICE_IN_FULCRUM, null, ALICE_AS_U2, INTENT), CTX,
            Plan.of(new Action.Unlink(null, "a create in doubt; the user was deleted in Okta; Fulcrum member m1 "
                + "(alice@corp.example) is left in place: it belongs to active user/u2 (alice2) with this email"))),
        row("a linked member deleted in Fulcrum is pushed again",
            user(alice(null, true), LINK_M1, null, null), CTX,
            Plan.of(new Action.Unlink("m1", "the linked member is gone from Fulcrum"), new Action.CreateMember(
                new MemberFields("alice@corp.example", "Alice", "Archer", "r-standard")))),
        row("a member managed for another SCIM user is not taken",
            new UserState("u1", alice(null, true), null, null, null, ALICE_IN_FULCRUM, "u9", null, null), CTX,
            Plan.blocked("user alice@corp.example: the Fulcrum member alice@corp.example is already managed for SCIM user u9")),
        row("a member managed for a SCIM user Okta took away is waited for, not blocked on: that user hands it over",
            new UserState("u1", alice(null, true), null, null, null, ALICE_IN_FULCRUM, "u9", null, null, true, null, null, null), CTX,
            Plan.waitingForLeaver("u9", "m1")),
        row("a member a leaver holds unlinked, its removal queued, held or DEAD, is waited for, not adopted: that leaver adopts and removes it",
            new UserState("u1", alice(null, true), null, null, null, ALICE_IN_FULCRUM, null, null, null, false, null, "u9", null),
            context(true, true, Map.of(), ""),
            Plan.waitingForLeaver("u9", "m1")),
        row("a deactivated user whose person Okta pushed again under a new id hands its member over, never removes it",
            new UserState("u1", alice(null, false), null, LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM, null, null, null, false,
                (EmailClaims.Claim.ActiveUser) ALICE_AS_U2, null, null), context(true, true, Map.of(), ""),
            Plan.of(new Action.HandOver("m1", "u2", "the user was deactivated in Okta; Fulcrum member m1 (alice@corp.example)"
                + " is left in place: handed over to active user/u2 (alice2) with this email"))),
        row("the token owner's membership is never handed over: the owner leaving stays in front of an operator",
            new UserState("u1", new DesiredUser("u1", "o", "owner@corp.example", "O", "O", null, false, null), null,
                new Link("u1", "m-owner", Action.Link.Origin.ADOPTED, Instant.EPOCH, null), OWNER_IN_FULCRUM, OWNER_IN_FULCRUM,
                null, null, null, false, (EmailClaims.Claim.ActiveUser) ALICE_AS_U2, null, null), CTX,
            ownerLeft("o", "the user was deactivated in Okta")));
  }

  /** The owner's membership (owner@corp.example, {@link #OWNER_IN_FULCRUM}) kept while the user {@code userName} of key u1 left Okta ({@code why}). */
  static Plan ownerLeft(String userName, String why) {
    return ownerLeft(userName, why, OWNER_IN_FULCRUM.id());
  }

  /** As {@link #ownerLeft(String, String)}, the owner's membership being Fulcrum member {@code member}. */
  static Plan ownerLeft(String userName, String why, String member) {
    return Plan.blockedKeepingAccess("user " + userName + ": " + why + ", but owner@corp.example is the Fulcrum API token's"
        + " owner, whose membership the bridge never removes: that person keeps Owner access, and the bridge still runs on"
        + " their token. Set fulcrum.api_token to another Owner's token and restart, remove owner@corp.example in Fulcrum,"
        + " then `fulcrum-scim journal retry user/u1`", member);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void user(String rule, UserState state, PlanContext ctx, Plan expected) {
    assertThat(planner.user(state, ctx)).isEqualTo(expected);
  }

  static final Link LINK_G1 = new Link("g1", "fg1", Action.Link.Origin.CREATED, Instant.EPOCH, null);
  static final FulcrumGroup UNMANAGED_CREW = new FulcrumGroup("fg-x", "Crew", "theirs", List.of("m-x"));

  static DesiredGroup crew(Member... members) {
    return new DesiredGroup("g1", "Crew", List.of(members));
  }

  static Member m(String userId) {
    return new Member(userId, userId + "@corp.example", true);
  }

  static GroupState group(DesiredGroup d, FulcrumGroup linked, Map<String, String> memberIds, Set<String> leaving,
      Set<String> pending) {
    return group(d, linked, memberIds, leaving, pending, Set.of());
  }

  static GroupState group(DesiredGroup d, FulcrumGroup linked, Map<String, String> memberIds, Set<String> leaving,
      Set<String> pending, Set<String> managedMembers) {
    return new GroupState("g1", d, linked == null ? null : LINK_G1, linked, List.of(), null, memberIds, leaving, pending,
        managedMembers, null, Set.of());
  }

  /** Made by hand in Fulcrum without a description, after the create's intent was recorded. */
  static final FulcrumGroup BARE_CREW = new FulcrumGroup("fg-bare", "Crew", "", List.of("m-x"));
  /** A group of that name whose description Fulcrum's answers leave out. */
  static final FulcrumGroup UNDESCRIBED_CREW = new FulcrumGroup("fg-unsaid", "Crew", null, List.of("m-x"));

  /** Group g1 ("Crew") with a create in doubt that knew of fg-x only, and these unlinked groups of that name. */
  static GroupState inDoubt(DesiredGroup d, FulcrumGroup... sameName) {
    return new GroupState("g1", d, null, null, List.of(sameName), new Intent("g1", "crew", Set.of("fg-x"), Instant.EPOCH),
        Map.of(), Set.of(), Set.of(), Set.of(), null, Set.of());
  }

  static Stream<Arguments> groups() {
    return Stream.of(
        row("groups.push false sends nothing",
            group(crew(m("u1")), null, Map.of(), Set.of(), Set.of()), context(false, false, Map.of(), ""), Plan.of()),
        row("a new group is created even when an unmanaged group has the name",
            new GroupState("g1", crew(), null, null, List.of(UNMANAGED_CREW), null, Map.of(), Set.of(), Set.of(), Set.of(), null, Set.of()),
            CTX,
            Plan.of(new Action.CreateGroup("Crew"))),
        row("a group whose link was lost links the same-name group the audit shows the bridge made for it, not a second",
            new GroupState("g1", crew(), null, null, List.of(UNMANAGED_CREW, new FulcrumGroup("fg-made", "Crew", null, List.of())),
                null, Map.of(), Set.of(), Set.of(), Set.of(), "fg-made", Set.of()),
            CTX,
            Plan.of(new Action.Link("fg-made", Action.Link.Origin.CREATED))),
        row("a create in doubt links the new same-name group carrying the marker, never the prior one",
            inDoubt(crew(), UNMANAGED_CREW, new FulcrumGroup("fg-new", "Crew", FulcrumGroup.BRIDGE_MARKER, List.of())),
            CTX,
            Plan.of(new Action.Link("fg-new", Action.Link.Origin.CREATED))),
        row("a create in doubt never takes a new same-name group without a description: made by hand, so it creates again",
            inDoubt(crew(), BARE_CREW), CTX,
            Plan.of(new Action.CreateGroup("Crew"))),
        row("a group deleted in Okta while its create is in doubt deletes the new group carrying the marker",
            inDoubt(null, BARE_CREW, new FulcrumGroup("fg-new", "Crew", FulcrumGroup.BRIDGE_MARKER, List.of())), CTX,
            Plan.of(new Action.DeleteGroup("fg-new"),
                new Action.Unlink("fg-new", "deleted the group an unfinished create made; deleted in Okta"))),
        row("a group deleted in Okta while its create is in doubt leaves a new same-name group without a description",
            inDoubt(null, BARE_CREW), CTX,
            Plan.of(new Action.Unlink(null, "a create that left no group in Fulcrum; deleted in Okta"))),
        row("a create in doubt takes the new group with the bridge's marker before one without a description",
            new GroupState("g1", crew(), null, null,
                List.of(new FulcrumGroup("fg-bare", "Crew", null, List.of()),
                    new FulcrumGroup("fg-marked", "Crew", FulcrumGroup.BRIDGE_MARKER, List.of())),
                new Intent("g1", "crew", Set.of(), Instant.EPOCH), Map.of(), Set.of(), Set.of(), Set.of(), null, Set.of()), CTX,
            Plan.of(new Action.Link("fg-marked", Action.Link.Origin.CREATED))),
        row("a create in doubt never takes a new same-name group described otherwise: made by hand",
            new GroupState("g1", crew(), null, null,
                List.of(new FulcrumGroup("fg-hand", "Crew", "made by a person", List.of())),
                new Intent("g1", "crew", Set.of(), Instant.EPOCH), Map.of(), Set.of(), Set.of(), Set.of(), null, Set.of()), CTX,
            Plan.of(new Action.CreateGroup("Crew"))),
        row("a renamed group is renamed",
            group(new DesiredGroup("g1", "Crew North", List.of()), new FulcrumGroup("fg1", "Crew", null, List.of()),
                Map.of(), Set.of(), Set.of()), CTX,
            Plan.of(new Action.RenameGroup("fg1", "Crew North"))),
        row("a group name that differs only by white space around it, as an older release stored it, is not renamed"
                + " (review-s9b F6: a Fulcrum that strips names would be sent it at every reconcile)",
            group(new DesiredGroup("g1", " Crew ", List.of()), new FulcrumGroup("fg1", "Crew", null, List.of()),
                Map.of(), Set.of(), Set.of()), CTX,
            Plan.of()),
        row("members change in one call with the net add and remove; the auto-added owner goes",
            group(crew(m("u1"), m("u2")), new FulcrumGroup("fg1", "Crew", null, List.of("m-owner", "m2", "m3")),
                Map.of("u1", "m1", "u2", "m2"), Set.of(), Set.of()), CTX,
            Plan.of(new Action.ChangeGroupMembers("fg1", List.of("m1"), List.of("m-owner", "m3")))),
        row("adds follow Okta's member order and leave out members already in the group",
            group(crew(m("u3"), m("u1"), m("u2"), m("u4")), new FulcrumGroup("fg1", "Crew", null, List.of("m2", "m4")),
                Map.of("u1", "m1", "u2", "m2", "u3", "m3", "u4", "m4"), Set.of(), Set.of()), CTX,
            Plan.of(new Action.ChangeGroupMembers("fg1", List.of("m3", "m1"), List.of()))),
        row("the owner stays when Okta lists it",
            group(crew(new Member("u-o", "owner@corp.example", true)),
                new FulcrumGroup("fg1", "Crew", null, List.of("m-owner")), Map.of(), Set.of(), Set.of()), CTX,
            Plan.of()),
        row("member changes wait while a listed user is still being pushed",
            group(crew(m("u1"), m("u2")), new FulcrumGroup("fg1", "Crew", null, List.of("m-owner")),
                Map.of("u1", "m1"), Set.of(), Set.of("u2")), CTX,
            new Plan(List.of(), List.of("u2"))),
        row("a managed member Okta took out leaves at once, with the adds possible now, while a listed user is pushed",
            group(crew(m("u1"), m("u2")), new FulcrumGroup("fg1", "Crew", null, List.of("m-owner", "m3", "m-hand")),
                Map.of("u1", "m1"), Set.of(), Set.of("u2"), Set.of("m3")), CTX,
            new Plan(List.of(new Action.ChangeGroupMembers("fg1", List.of("m1"), List.of("m3"))), List.of("u2"))),
        row("a listed user whose push failed does not hold up the others",
            group(crew(m("u1"), m("u2")), new FulcrumGroup("fg1", "Crew", null, List.of()),
                Map.of("u1", "m1"), Set.of(), Set.of()), CTX,
            Plan.of(new Action.ChangeGroupMembers("fg1", List.of("m1"), List.of()))),
        row("a member being removed from Fulcrum is not removed from the group first: the group waits for that removal",
            group(crew(new Member("u1", "u1@corp.example", false)), new FulcrumGroup("fg1", "Crew", null, List.of("m1")),
                Map.of("u1", "m1"), Set.of("m1"), Set.of()), CTX,
            Plan.group(List.of(), List.of(), List.of("m1"))),
        row("an id the group lists that the organization no longer has is left out of the removals (review-s9b F2)",
            new GroupState("g1", crew(m("u1")), LINK_G1, new FulcrumGroup("fg1", "Crew", null, List.of("m1", "m-gone", "m3")),
                List.of(), null, Map.of("u1", "m1"), Set.of(), Set.of(), Set.of(), null, Set.of("m-gone")), CTX,
            Plan.of(new Action.ChangeGroupMembers("fg1", List.of(), List.of("m3")))),
        row("a deleted managed group is deleted, then unlinked",
            group(null, new FulcrumGroup("fg1", "Crew", null, List.of()), Map.of(), Set.of(), Set.of()), CTX,
            Plan.of(new Action.DeleteGroup("fg1"), new Action.Unlink("fg1", "group deleted in Fulcrum; deleted in Okta"))),
        row("a group deleted before it was ever pushed needs nothing",
            group(null, null, Map.of(), Set.of(), Set.of()), CTX, Plan.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("groups")
  void group(String rule, GroupState state, PlanContext ctx, Plan expected) {
    assertThat(planner.group(state, ctx)).isEqualTo(expected);
  }

  @Test
  void aCreateInDoubtCannotTellANewSameNameGroupWhoseDescriptionFulcrumLeavesOutAndTouchesNothing() {
    Plan plan = planner.group(inDoubt(crew(), UNDESCRIBED_CREW), CTX);
    assertThat(plan.isBlocked()).isTrue();
    assertThat(plan.blocked().reason()).contains("fg-unsaid", "cannot tell", FulcrumGroup.BRIDGE_MARKER,
        "fulcrum-scim journal retry group/g1");
  }

  @Test
  void aGroupDeletedInOktaWhileItsCreateIsInDoubtDeletesNoSameNameGroupWhoseDescriptionFulcrumLeavesOut() {
    Plan plan = planner.group(inDoubt(null, UNDESCRIBED_CREW), CTX);
    assertThat(plan.isBlocked()).isTrue();
    assertThat(plan.blocked().reason()).contains("fg-unsaid", "cannot tell");
  }

  @Test
  void aDeactivatedUsersPlanTakesAccessAway() {
    assertThat(planner.user(user(alice(null, false), LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX).takesAccessAway()).isTrue();
  }

  @Test
  void aProfileChangeDoesNotTakeAccessAway() {
    DesiredUser renamed = new DesiredUser("u1", "alice@corp.example", "alice@corp.example", "Alicia", "Archer", null, true, null);
    Plan plan = planner.user(user(renamed, LINK_M1, ALICE_IN_FULCRUM, ALICE_IN_FULCRUM), CTX);
    assertThat(plan.actions()).isNotEmpty();
    assertThat(plan.takesAccessAway()).isFalse();
  }

  @Test
  void aGroupDeletedOrLosingAMemberTakesAccessAwayOneGainingAMemberDoesNot() {
    assertThat(Plan.of(new Action.DeleteGroup("g1")).takesAccessAway()).isTrue();
    assertThat(Plan.of(new Action.ChangeGroupMembers("g1", List.of(), List.of("m1"))).takesAccessAway()).isTrue();
    assertThat(Plan.of(new Action.ChangeGroupMembers("g1", List.of("m1"), List.of())).takesAccessAway()).isFalse();
  }

  private static Arguments row(String rule, Object state, PlanContext ctx, Plan expected) {
    return Arguments.of(rule, state, ctx, expected);
  }

  /** The plan of u1 (alice@corp.example) over member m1 with its email, which the bridge does not manage, adoption off. */
  private static Plan notManaged() {
    return Plan.blocked("user alice@corp.example: Fulcrum already has a member alice@corp.example (m1) that the bridge"
        + " does not manage; it is left untouched. If it is this person's own account, set users.adopt_existing: true"
        + " to adopt it, or remove it in Fulcrum, then `fulcrum-scim journal retry user/u1`; if it is someone else's,"
        + " correct the address in Okta");
  }
}
