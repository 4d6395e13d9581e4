package com.fulcrumscim.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Passes every change on and remembers it, so a failing seeded test can say what it did. */
public final class RecordingOkta implements Okta {
  private final Okta okta;
  private final List<String> log = new ArrayList<>();
  /** SCIM ids shown as short names: u1, g1, ... */
  private final Map<String, String> names = new HashMap<>();

  public RecordingOkta(Okta okta) {
    this.okta = okta;
  }

  private String name(String id, String prefix) {
    return names.computeIfAbsent(id, k -> prefix + (names.size() + 1));
  }

  private List<String> names(List<String> ids) {
    return ids.stream().map(id -> name(id, "u")).toList();
  }

  @Override
  public String user(String email, String given, String family, String role) {
    String id = okta.user(email, given, family, role);
    log.add(name(id, "u") + "=user(" + email + ", " + given + ", " + family + ", " + role + ")");
    return id;
  }

  @Override
  public String userNamed(String userName, String email, String given, String family, String role) {
    String id = okta.userNamed(userName, email, given, family, role);
    log.add(name(id, "u") + "=userNamed(" + userName + ", " + email + ", " + given + ", " + family + ", " + role + ")");
    return id;
  }

  @Override
  public void set(String userId, String attribute, Object value) {
    okta.set(userId, attribute, value);
    log.add("set(" + name(userId, "u") + ", " + attribute + ", " + value + ")");
  }

  @Override
  public void replaceUser(String userId, String email, String given, String family, String role) {
    okta.replaceUser(userId, email, given, family, role);
    log.add("replaceUser(" + name(userId, "u") + ", " + email + ", " + given + ", " + family + ", " + role + ")");
  }

  @Override
  public void deleteUser(String userId) {
    okta.deleteUser(userId);
    log.add("deleteUser(" + name(userId, "u") + ")");
  }

  @Override
  public String group(String name, List<String> userIds) {
    String id = okta.group(name, userIds);
    log.add(name(id, "g") + "=group(" + name + ", " + names(userIds) + ")");
    return id;
  }

  @Override
  public void setGroup(String groupId, String name, List<String> userIds) {
    okta.setGroup(groupId, name, userIds);
    log.add("setGroup(" + name(groupId, "g") + ", " + name + ", " + names(userIds) + ")");
  }

  @Override
  public void deleteGroup(String groupId) {
    okta.deleteGroup(groupId);
    log.add("deleteGroup(" + name(groupId, "g") + ")");
  }

  /** Marks a point in the sequence (a reconcile cycle, say). */
  public void note(String what) {
    log.add(what);
  }

  @Override
  public String toString() {
    return String.join("; ", log);
  }
}
