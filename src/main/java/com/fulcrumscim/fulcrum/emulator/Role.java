package com.fulcrumscim.fulcrum.emulator;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A role: read-only over the API. {@code permissions} names the {@code can_*} flags that are true. */
record Role(String id, String name, boolean system, boolean isDefault, Set<String> permissions, Instant createdAt) {
  Role {
    permissions = Set.copyOf(permissions);
  }

  /** Every flag a Fulcrum role carries (shared/fulcrum-api.md section 4), in Fulcrum's order. */
  static final List<String> FLAGS =
      List.of(
          "can_manage_subscription",
          "can_update_organization",
          "can_manage_members",
          "can_manage_roles",
          "can_manage_layers",
          "can_manage_apps",
          "can_create_records",
          "can_update_records",
          "can_delete_records",
          "can_manage_projects",
          "can_manage_choice_lists",
          "can_manage_classification_sets",
          "can_change_status",
          "can_change_project",
          "can_assign_records",
          "can_import_records",
          "can_export_records",
          "can_run_reports",
          "can_manage_authorizations",
          "can_manage_groups");

  static final String OWNER = "Owner";
  static final String STANDARD_USER = "Standard User";

  /**
   * The four system roles with fixed 24-hex ids (Fulcrum's own ids look like this, e.g.
   * "51e060bea93448c788000283"), so tests and seeds can name them.
   */
  static List<Role> systemRoles(Instant at) {
    Set<String> all = Set.copyOf(FLAGS);
    Set<String> records =
        Set.of("can_create_records", "can_update_records", "can_change_status", "can_change_project", "can_run_reports");
    Set<String> manager =
        Set.copyOf(
            FLAGS.stream()
                .filter(f -> !Set.of("can_manage_subscription", "can_update_organization", "can_manage_roles", "can_manage_authorizations").contains(f))
                .toList());
    return List.of(
        new Role("51e060bea93448c788000281", OWNER, true, false, all, at),
        new Role("51e060bea93448c788000282", "Manager", true, false, manager, at),
        new Role("51e060bea93448c788000283", STANDARD_USER, true, true, records, at),
        new Role("51e060bea93448c788000284", "Record Creator", true, false, Set.of("can_create_records"), at));
  }
}
