package com.fulcrumscim.testing;

import java.util.List;

/** What tests ask Okta to do; over real SCIM HTTP ({@link ScimOkta}) or straight into SQLite ({@link DesiredFixture}). */
public interface Okta {
  /** A new active user; returns its SCIM id. {@code role} may be null. */
  String user(String email, String given, String family, String role);

  /** As {@link #user}, under a userName other than the email (a person pushed again while a deactivated user keeps theirs). */
  String userNamed(String userName, String email, String given, String family, String role);

  /**
   * Changes one attribute: {@code active} (0/1), {@code given_name}, {@code family_name}, {@code role},
   * or {@code email} (the work address alone, active or not: as Entra frees a disabled user's address).
   */
  void set(String userId, String attribute, Object value);

  /**
   * Okta's profile push: the whole user again, as its PUT sends it ({@code role} null: an attribute
   * Okta cleared, which it leaves out).
   */
  void replaceUser(String userId, String email, String given, String family, String role);

  void deleteUser(String userId);

  /** A new group listing {@code userIds}; returns its SCIM id. */
  String group(String name, List<String> userIds);

  /** Replaces the group's name and members. */
  void setGroup(String groupId, String name, List<String> userIds);

  void deleteGroup(String groupId);
}
