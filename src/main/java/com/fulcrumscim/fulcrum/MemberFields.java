package com.fulcrumscim.fulcrum;

/** Fields to create a member with, or to change on one; null means "leave as it is". */
public record MemberFields(String email, String firstName, String lastName, String roleId) {
  public boolean isEmpty() {
    return email == null && firstName == null && lastName == null && roleId == null;
  }
}
