package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the last look at the schema version found (the readiness probe's, the writer lease's, a SCIM
 * write's own): whether a newer release migrated the database since this process opened it. Kept, so
 * every SCIM write is refused on it without a query; said at ERROR once, when first found.
 */
final class NewerSchema {
  private static final Logger log = LoggerFactory.getLogger(NewerSchema.class);
  private volatile Optional<String> seen = Optional.empty();

  /** Reads the version on {@code c} and keeps the verdict: empty while this build knows it. */
  Optional<String> look(Connection c, Dialect dialect) throws SQLException {
    Optional<String> found = Migrations.newerSchema(c, dialect);
    Optional<String> before;
    synchronized (this) {
      before = seen;
      seen = found;
    }
    if (before.isEmpty() && found.isPresent()) {
      log.error("SCIM WRITES REFUSED on this node (503, reads still answered): {}. Its /readyz answers 503 and it does"
          + " not lead; its older code would store changes without what the new schema adds", found.get());
    }
    return found;
  }

  /** Throws when the last look found a newer schema. */
  void refuseIfSeen() {
    Optional<String> newer = seen;
    if (newer.isPresent()) {
      throw new SchemaVersionException(newer.get(), true);
    }
  }
}
