package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What messages, logs and status print of a store: never a password, even one written into the URL. */
class StoreLocationTest {
  private final StoreLocation.Postgres withPassword =
      new StoreLocation.Postgres("jdbc:postgresql://db:5432/fulcrum?user=bridge&password=hunter2", "bridge", "s3cret");

  @Test
  void aPostgresUrlIsDescribedWithoutItsQuery() {
    assertThat(withPassword.describe()).isEqualTo("jdbc:postgresql://db:5432/fulcrum?...");
  }

  @Test
  void aPostgresLocationPrintsNeitherPassword() {
    assertThat(withPassword.toString()).doesNotContain("hunter2").doesNotContain("s3cret");
  }

  @Test
  void aUrlWithoutQueryIsDescribedWhole() {
    assertThat(new StoreLocation.Postgres("jdbc:postgresql://db/fulcrum", null, null).describe())
        .isEqualTo("jdbc:postgresql://db/fulcrum");
  }
}
