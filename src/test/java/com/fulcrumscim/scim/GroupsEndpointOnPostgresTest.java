package com.fulcrumscim.scim;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every test of {@link GroupsEndpointTest} against a receiver on PostgreSQL. The tests use the static
 * {@code http}, which this class points at its own server after the superclass's start.
 */
@RequiresPostgres
class GroupsEndpointOnPostgresTest extends GroupsEndpointTest {
  @RegisterExtension static final ScimTestServer.PerClass postgres = new ScimTestServer.PerClass(true);

  @BeforeAll
  static void onPostgres() {
    http = postgres.http();
  }
}
