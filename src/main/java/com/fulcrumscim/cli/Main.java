package com.fulcrumscim.cli;

import com.fulcrumscim.ops.BuildInfo;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

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

    /**
     * `fulcrum-scim status --version` answers like `fulcrum-scim --version`, not with an empty line.
     * Here, not in Main: verifying Main would load picocli's IVersionProvider, in serve too.
     */
    static void answerIn(CommandLine command) {
      command.getCommandSpec().versionProvider(new Version());
      command.getSubcommands().values().forEach(Version::answerIn);
    }
  }

  /** {@code serve}'s usual command line starts without picocli ({@link ServeCommand#plain}); any other is parsed by it. */
  public static int run(String... args) {
    Optional<ServeCommand> serve = ServeCommand.plain(args);
    return serve.isPresent() ? servePlain(serve.get()) : commandLine(args).execute(args);
  }

  /** Output and a failure as picocli's {@code execute} gives them: a stack trace on stderr and exit 1. */
  private static int servePlain(ServeCommand serve) {
    PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, Charset.defaultCharset())), true);
    PrintWriter err = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.err, Charset.defaultCharset())), true);
    try {
      return serve.serve(out, err);
    } catch (Exception e) {
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * The commands {@code args} may run: the verb they name alone, else every verb. A verb's model is
   * built by reading its class's annotations and fields and loading the types they name: all of them
   * were about a fifth of serve's main-thread work before ready (issue 12). Help needs every verb, and
   * so do arguments that name none (an option, a mistyped verb answered with suggestions).
   */
  static CommandLine commandLine(String... args) {
    Command main = Main.class.getAnnotation(Command.class);
    CommandLine cli = Optional.ofNullable(args.length == 0 ? null : args[0])
        .flatMap(name -> Arrays.stream(main.subcommands())
            .filter(verb -> verb != CommandLine.HelpCommand.class && verb.getAnnotation(Command.class).name().equals(name))
            .findFirst())
        // the parent only names the verb's usage line ("fulcrum-scim serve"): args[0] is the verb, so it parses no option
        .map(verb -> new CommandLine(CommandSpec.wrapWithoutInspection(new Main()).name(main.name())).addSubcommand(verb))
        .orElseGet(() -> new CommandLine(new Main()));
    Version.answerIn(cli);
    return cli;
  }
}
