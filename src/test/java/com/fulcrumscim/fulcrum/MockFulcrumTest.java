package com.fulcrumscim.fulcrum;

import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The wire tests' setup: a MockWebServer standing in for Fulcrum and a fresh {@link ClientFixture}
 * on it for each test, closed after. A test may replace {@link #fx} (say, for a shorter timeout);
 * the replacement is the one closed.
 */
abstract class MockFulcrumTest {
  @StartStop final MockWebServer server = new MockWebServer();
  ClientFixture fx;
  HttpFulcrumClient client;

  @BeforeEach
  void startClient() {
    fx = new ClientFixture(server);
    client = fx.client;
  }

  @AfterEach
  void closeClient() {
    fx.close();
  }
}
