package com.fulcrumscim.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresConditionTest {
  static final Optional<Path> HERE = Optional.of(Path.of("/usr/lib/postgresql/15/bin"));
  static final Optional<Path> NOWHERE = Optional.empty();

  @Test
  void withPostgresqlPresentTheSuitesRunEverywhere() {
    assertThat(PostgresCondition.decide(HERE, null, null).isDisabled()).isFalse();
    assertThat(PostgresCondition.decide(HERE, "true", "true").isDisabled()).isFalse();
  }

  @Test
  void withoutPostgresqlADeveloperMachineSkipsAndSaysWhy() {
    assertThat(PostgresCondition.decide(NOWHERE, null, null).isDisabled()).isTrue();
    assertThat(PostgresCondition.decide(NOWHERE, "false", "false").getReason())
        .hasValueSatisfying(reason -> assertThat(reason).contains("not found", "FULCRUM_SCIM_PG_BIN", "run in CI"));
  }

  @Test
  void withoutPostgresqlCiFailsInsteadOfSkipping() {
    assertThatThrownBy(() -> PostgresCondition.decide(NOWHERE, "true", null))
        .hasMessageContaining("required here (CI=true)").hasMessageContaining("postgresql package");
  }

  @Test
  void withoutPostgresqlTheRequireFlagFailsInsteadOfSkipping() {
    assertThatThrownBy(() -> PostgresCondition.decide(NOWHERE, null, "true"))
        .hasMessageContaining("-Dfulcrum.require.postgres=true");
  }
}
