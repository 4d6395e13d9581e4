package com.fulcrumscim.reconcile;

import java.time.Instant;

/**
 * A SCIM entity tied to the Fulcrum entity the bridge created or adopted: the bridge manages it.
 * {@code oktaRoleId} is the role the bridge gave the linked member because Okta named it, null when
 * it holds none (a group, a member made with the default role or whose role was only set by hand,
 * or one whose role was taken back): the only role the bridge takes back once Okta names none.
 */
public record Link(String scimId, String fulcrumId, Action.Link.Origin origin, Instant linkedAt, String oktaRoleId) {
  /** The same link, holding {@code roleId} for Okta (null: none). */
  Link withOktaRole(String roleId) {
    return new Link(scimId, fulcrumId, origin, linkedAt, roleId);
  }
}
