package com.fulcrumscim.fulcrum.emulator;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The emulator tests' fixture: an emulator started from the test's builder, a plain client to it,
 * and the stop after each test. Register it with {@code @RegisterExtension}.
 */
final class RunningEmulator implements AfterEachCallback {
  final FulcrumEmulator fulcrum;
  final Http http;

  RunningEmulator(FulcrumEmulator.Builder builder) {
    this.fulcrum = builder.build().start();
    this.http = new Http(fulcrum);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    fulcrum.stop();
  }
}
