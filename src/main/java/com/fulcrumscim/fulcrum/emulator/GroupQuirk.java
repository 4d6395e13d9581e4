package com.fulcrumscim.fulcrum.emulator;

/**
 * A way a real Fulcrum might treat groups otherwise than the bridge assumes, which the emulator
 * can take on ({@link FulcrumEmulator#groupQuirk}) so that {@code check --write-test} is seen to
 * tell it.
 */
public enum GroupQuirk {
  /** {@code PUT /groups/{id}.json} answers 200 and keeps the old name. */
  RENAMES_IGNORED,
  /** A group name another group has is refused (422), on create and on rename. */
  NAMES_UNIQUE,
  /** A create under a name a group has answers that group, as made, and makes none. */
  CREATE_FINDS_BY_NAME,
  /** {@code DELETE /memberships/{id}.json} leaves the member's id in its groups' member_ids. */
  DELETED_MEMBERS_LISTED,
  /** A member change that takes the token owner out of a group is refused (422), all of it. */
  OWNER_REMOVAL_REFUSED
}
