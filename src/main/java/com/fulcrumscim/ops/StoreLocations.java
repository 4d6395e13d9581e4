package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.StoreLocation;

/** Where {@code storage.*} in config.yml puts the store. */
public final class StoreLocations {
  private StoreLocations() {}

  public static StoreLocation of(BridgeConfig.Storage storage) {
    return storage.postgres()
        ? new StoreLocation.Postgres(storage.url(), storage.username(), storage.password())
        : new StoreLocation.SqliteFile(storage.path().toAbsolutePath());
  }
}
