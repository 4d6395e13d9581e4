package com.fulcrumscim.cli;

import com.fulcrumscim.demo.Demo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole bridge in this process on an emulated Fulcrum (the demo org) with a temporary database.",
      "It plays a scripted Okta session over real SCIM HTTP and prints Fulcrum's members and groups before and after, "
          + "managed beside unmanaged. Needs no config, no Fulcrum account and no network."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the demo ran", "1:it failed (the message says where)"})
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--adopt-existing", description = "Play it with users.adopt_existing: true (the colliding member is adopted).")
  boolean adoptExisting;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("fulcrum-scim-demo");
    try {
      new Demo(spec.commandLine().getOut(), adoptExisting).run(dir);
      return 0;
    } catch (IllegalStateException | UncheckedIOException e) {
      spec.commandLine().getErr().println("demo failed: " + e.getMessage());
      return 1;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
