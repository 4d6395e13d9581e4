package com.fulcrumscim.cli;

import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.fulcrum.emulator.SeedException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/fulcrum-scim emulator}: a stand-alone emulated Fulcrum that runs until killed. */
@Command(
    name = "emulator",
    mixinStandardHelpOptions = true,
    description = {
      "Run an emulated Fulcrum API (memberships, roles, groups, users.json) with fault injection under /_emulator/.",
      "Without --token it generates one and prints it. Without --seed it serves the built-in demo org."
    })
public final class EmulatorCommand implements Callable<Integer> {
  @Option(names = "--port", required = true, description = "Port to listen on (0: any free port).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--token", description = "The API token to accept in X-ApiToken (default: generated and printed).")
  String token;

  @Option(names = "--seed", description = "JSON file of members and groups to start with (default: the demo org).")
  Path seed;

  @Option(names = "--owner-email", defaultValue = "owner@fulcrum.example", description = "The token owner's email (default ${DEFAULT-VALUE}).")
  String ownerEmail;

  @Option(names = "--calls-per-hour", defaultValue = "5000", description = "Per-token rate limit; 0: none (default ${DEFAULT-VALUE}).")
  int callsPerHour;

  @Override
  public Integer call() throws InterruptedException {
    FulcrumEmulator emulator;
    try {
      FulcrumEmulator.Builder builder =
          FulcrumEmulator.builder().token(token).ownerEmail(ownerEmail).callsPerHour(callsPerHour);
      emulator = (seed == null ? builder.seed(Seed.demo()) : builder.seed(seed)).build();
    } catch (SeedException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    emulator.start(host, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      emulator.stop();
      stopped.countDown();
    }));
    System.out.println("Fulcrum emulator: " + emulator.baseUrl() + "  token: " + emulator.token());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
