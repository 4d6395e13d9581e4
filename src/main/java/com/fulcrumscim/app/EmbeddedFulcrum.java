package com.fulcrumscim.app;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import java.nio.file.Path;

/**
 * The emulator {@code fulcrum.base_url: embedded} stands for, seeded as configured: the one serve
 * writes to, and the one check looks at, so a setting the emulator contradicts fails check as it
 * would against a real Fulcrum.
 */
public final class EmbeddedFulcrum {
  private EmbeddedFulcrum() {}

  /** Started on a free loopback port; the caller closes it. */
  public static FulcrumEmulator start(BridgeConfig.Fulcrum f) {
    Seed seed = f.emulatorSeed().isBlank() ? Seed.demo() : Seed.load(Path.of(f.emulatorSeed()));
    return FulcrumEmulator.builder().seed(seed).callsPerHour(f.callsPerHour()).build().start();
  }
}
