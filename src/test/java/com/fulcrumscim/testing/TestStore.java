package com.fulcrumscim.testing;

import com.fulcrumscim.db.StoreLocation;
import java.nio.file.Path;

/**
 * The store a test runs on: a SQLite file in its temp dir, or a fresh database on the shared
 * {@link PostgresServer}. Fixtures take one so a suite's {@code ...OnPostgresTest} subclass runs
 * every test of it on PostgreSQL by overriding the one factory method.
 */
public record TestStore(StoreLocation location) {
  public static TestStore sqlite(Path file) {
    return new TestStore(new StoreLocation.SqliteFile(file.toAbsolutePath()));
  }

  /** A new database of its own on this JVM's PostgreSQL cluster, with this build's schema (as serve leaves it). */
  public static TestStore freshPostgres() {
    return postgres(PostgresServer.shared().migratedDatabase());
  }

  /** A PostgreSQL database with no schema at all: for tests of migrating, or of a store an older release made. */
  public static TestStore emptyPostgres() {
    return postgres(PostgresServer.shared().freshDatabase());
  }

  private static TestStore postgres(PostgresServer.Database pg) {
    return new TestStore(new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password()));
  }

  /** config.yml's storage section for this store. */
  public String yaml() {
    if (location instanceof StoreLocation.Postgres p) {
      return "storage:\n  url: " + p.url() + "\n  username: " + p.username() + "\n  password: " + p.password() + "\n";
    }
    return "storage:\n  path: " + ((StoreLocation.SqliteFile) location).path() + "\n";
  }

  /** The SQLite file; tests that copy or damage files use it. */
  public Path file() {
    return ((StoreLocation.SqliteFile) location).path();
  }
}
