package com.fulcrumscim.fulcrum.emulator;

import java.time.Instant;

/** One membership as the emulator stores it; replaced whole on every change. */
record Member(
    String id,
    String userId,
    String email,
    String firstName,
    String lastName,
    String roleId,
    boolean managed,
    String status,
    Instant createdAt,
    Instant updatedAt) {

  String fullName() {
    return (nz(firstName) + " " + nz(lastName)).trim();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
