package com.fulcrumscim.db;

import java.nio.file.Path;

/** Where the bridge's data lives: a SQLite file, or a PostgreSQL database shared by every node. */
public sealed interface StoreLocation {
  /** For messages: the file, or the JDBC URL without its query (never a password, not even one put in the URL). */
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
      int query = url.indexOf('?');
      // the driver takes password=... (and sslpassword=...) in the query: keep all of it out of messages and logs
      return query < 0 ? url : url.substring(0, query) + "?...";
    }

    @Override
    public String toString() {
      return "Postgres[" + describe() + ", user " + username + "]";
    }
  }
}
