package com.fulcrumscim.fulcrum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.fulcrum.wire.GroupJson;
import com.fulcrumscim.fulcrum.wire.MembershipJson;
import com.fulcrumscim.fulcrum.wire.Requests;
import com.fulcrumscim.fulcrum.wire.RoleJson;
import com.fulcrumscim.fulcrum.wire.UserJson;
import java.util.Locale;

/**
 * Between the wire records and the domain ones. It lives on the domain side so that
 * {@code fulcrum.wire} stays a leaf: the wire format knows nothing of the client using it.
 */
final class WireMapping {
  private WireMapping() {}

  static FulcrumUser user(UserJson u) {
    // an organization without an id names nothing the links could be checked against
    UserJson.Organization org = u.currentOrganization();
    return new FulcrumUser(u.id(), u.email(), u.firstName(), u.lastName(),
        org == null || org.id() == null || org.id().isBlank() ? null : new FulcrumOrganization(org.id(), org.name()));
  }

  /**
   * A role that does not say whether it is a system role counts as one when it is named Owner:
   * read as false, no role would be the Owner and roles.allow_owner would protect nothing.
   */
  static FulcrumRole role(RoleJson r) {
    boolean system = r.isSystem() != null ? r.isSystem() : FulcrumRole.namedOwner(r.name());
    return new FulcrumRole(r.id(), r.name(), system, r.isDefault());
  }

  static FulcrumMember member(MembershipJson m) {
    return new FulcrumMember(m.id(), m.userId(), m.email(), m.firstName(), m.lastName(), m.roleId(), text(m.roleName()),
        flag(m.managed()), text(m.status()));
  }

  /** A scalar as text; anything else (an object, an array) as not given. */
  private static String text(JsonNode v) {
    return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  /** true/false, also as text; anything else as not given. */
  private static Boolean flag(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String t = v.isTextual() ? v.textValue().strip().toLowerCase(Locale.ROOT) : "";
    return t.equals("true") ? Boolean.TRUE : t.equals("false") ? Boolean.FALSE : null;
  }

  static FulcrumGroup group(GroupJson g) {
    return new FulcrumGroup(g.id(), g.name(), description(g.description()), g.memberIds());
  }

  /**
   * Sent as null: empty, the group has none. Left out (or not text): null, unknown. A group the
   * bridge made shows its marker in any answer that carries descriptions, so "none" tells a group
   * made by hand apart, and "unknown" cannot.
   */
  private static String description(JsonNode v) {
    return v != null && v.isNull() ? "" : text(v);
  }

  /** The same fields for create and update; nulls are left out of the JSON. */
  static Requests.MembershipBody membership(MemberFields f) {
    return new Requests.MembershipBody(new Requests.Membership(f.email(), f.firstName(), f.lastName(), f.roleId()));
  }
}
