package com.fulcrumscim.db;

/**
 * The schema needs migrating, but another process holds a live writer lease, and still did after
 * the migration waited for it to expire (a process killed leaves one behind): a node or an operator
 * command of the release that made the schema still writes, and would go on writing into a schema
 * it does not know. Nothing was migrated; the operator stops every node first (README: Upgrade).
 */
public final class MigrationRefusedException extends RuntimeException {
  MigrationRefusedException(String message) {
    super(message);
  }
}
