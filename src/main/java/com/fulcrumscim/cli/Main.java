package com.fulcrumscim.cli;

import com.fulcrumscim.ops.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/fulcrum-scim}: one class per verb, each returning its exit code. */
@Command(
    name = "fulcrum-scim",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
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
      DbCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
    })
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** {@code --version}: the release and the commit the jar was built from. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildInfo.current().toString()};
    }
  }

  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    everyCommand(cli, c -> c.getCommandSpec().versionProvider(new Version()));
    return cli.execute(args);
  }

  /** `fulcrum-scim status --version` answers like `fulcrum-scim --version`, not with an empty line. */
  private static void everyCommand(CommandLine command, java.util.function.Consumer<CommandLine> action) {
    action.accept(command);
    command.getSubcommands().values().forEach(sub -> everyCommand(sub, action));
  }
}
