package com.fulcrumscim.testing;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs {@link RequiresPostgres} tests when PostgreSQL's server programs are here. Without them it
 * skips, unless PostgreSQL is required: environment variable {@code CI} set (as CI services and
 * {@code .ci/run} do) or {@code -Dfulcrum.require.postgres=true}; then it fails.
 */
public final class PostgresCondition implements ExecutionCondition {
  static final String REQUIRE_PROPERTY = "fulcrum.require.postgres";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return decide(PostgresBinaries.directory(), System.getenv("CI"), System.getProperty(REQUIRE_PROPERTY));
  }

  /** The decision alone, for its own tests: enabled, disabled, or thrown when a missing PostgreSQL must fail. */
  static ConditionEvaluationResult decide(Optional<Path> binaries, String ciVariable, String requireProperty) {
    if (binaries.isPresent()) {
      return ConditionEvaluationResult.enabled("PostgreSQL found in " + binaries.get());
    }
    String missing = "PostgreSQL server programs not found (looked in " + PostgresBinaries.searched() + ")";
    boolean ci = ciVariable != null && !ciVariable.isBlank() && !ciVariable.equalsIgnoreCase("false");
    if (ci || Boolean.parseBoolean(requireProperty)) {
      throw new IllegalStateException(missing + ", and they are required here (" + (ci ? "CI=" + ciVariable
          : "-D" + REQUIRE_PROPERTY + "=true") + "): install Debian's postgresql package (.ci/run does) or set "
          + PostgresBinaries.ENV);
    }
    return ConditionEvaluationResult.disabled(missing + "; the PostgreSQL suites are skipped here and run in CI");
  }
}
