package com.fulcrumscim.db;

import java.nio.file.Path;

/** Where the bridge's data lives: a SQLite file, or a PostgreSQL database shared by every node. */
public sealed interface StoreLocation {
  /** For messages: the file, or the JDBC URL (never the password). */
  String describe();

  record SqliteFile(Path path) implements StoreLocation {
    @Override
    public String describe() {
      return path.toAbsolutePath().toString();
    }
  }

  /** {@code url}: jdbc:postgresql://HOST[:PORT]/DB[?...]. */
  record Postgres(String url, String username, String password) implements StoreLocation {
    @Override
    public String describe() {
      return url;
    }

    @Override
    public String toString() {
      return "Postgres[" + url + ", user " + username + "]";
    }
  }
}
