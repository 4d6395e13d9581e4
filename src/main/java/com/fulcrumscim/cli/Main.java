package com.fulcrumscim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/fulcrum-scim}: one class per verb, each returning its exit code. */
@Command(
    name = "fulcrum-scim",
    mixinStandardHelpOptions = true,
    version = "fulcrum-scim 0.1.0",
    description = "Provision Okta or Entra users and groups into a Fulcrum organization over SCIM 2.0.",
    subcommands = {
      CommandLine.HelpCommand.class,
      EmulatorCommand.class,
      StatusCommand.class,
      JournalCommand.class,
      CheckCommand.class,
      AuditCommand.class,
      ApproveRemovalsCommand.class,
      ServeCommand.class,
      TokenCommand.class,
      ResyncCommand.class,
      DemoCommand.class,
    })
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }
}
