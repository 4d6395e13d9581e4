package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code --help} shows an operator (review L6). picocli lists a command in its parent's help
 * by the first element of its description, and starts every element on a line of its own, wrapping
 * each at the terminal's width: an element that stops mid-sentence cuts the listing short, and
 * breaks the command's own help in odd places.
 */
class HelpTextTest {
  /**
   * A sentence's end: a full stop (or ? !), then perhaps a closing bracket, quote or backtick, and
   * picocli's own line breaks (%n, as its help command writes).
   */
  static final Pattern SENTENCE_END = Pattern.compile("(?s).*[.?!][)\"'`]*(%n)*");

  @TempDir Path dir;

  /** Every command below the top, by its path: "journal retry", "db mark-restored", ... */
  static Map<String, CommandSpec> everyCommand() {
    Map<String, CommandSpec> all = new java.util.TreeMap<>();
    collect(new CommandLine(Main.class), "", all);
    return all;
  }

  private static void collect(CommandLine command, String path, Map<String, CommandSpec> out) {
    command.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandSpec().name().equals(name)) { // not an alias
        String subPath = (path + " " + name).strip();
        out.put(subPath, sub.getCommandSpec());
        collect(sub, subPath, out);
      }
    });
  }

  @Test
  void everyCommandsLineInItsParentsHelpIsAWholeSentence() {
    Map<String, CommandSpec> commands = everyCommand();
    assertThat(commands).hasSizeGreaterThan(15);
    commands.forEach((path, spec) -> {
      assertThat(spec.usageMessage().description()).as(path).isNotEmpty();
      assertThat(spec.usageMessage().description()[0]).as(path).matches(SENTENCE_END);
    });
  }

  @Test
  void noHelpTextStopsMidSentenceAtTheEndOfALine() {
    List<String> broken = new ArrayList<>();
    everyCommand().forEach((path, spec) -> {
      brokenIn(path, spec.usageMessage().description()).forEach(broken::add);
      Stream.<ArgSpec>concat(spec.options().stream(), spec.positionalParameters().stream())
          .forEach(arg -> brokenIn(path + " " + label(arg), arg.description()).forEach(broken::add));
    });
    assertThat(broken).isEmpty();
  }

  /** A description given as several elements: each but a sole one must end a sentence. */
  private static Stream<String> brokenIn(String where, String[] description) {
    return description.length < 2 ? Stream.empty()
        : Arrays.stream(description).filter(line -> !SENTENCE_END.matcher(line).matches()).map(line -> where + ": " + line);
  }

  private static String label(ArgSpec arg) {
    return arg instanceof CommandLine.Model.OptionSpec o ? o.longestName() : arg.paramLabel();
  }

  /** picocli keeps one text per exit code: a second "1:" line silently replaced the first in check's help. */
  @Test
  void noExitCodeIsListedTwice() {
    everyCommand().forEach((path, spec) -> {
      Command command = spec.userObject().getClass().getAnnotation(Command.class);
      List<String> codes = command == null ? List.of()
          : Arrays.stream(command.exitCodeList()).map(line -> line.substring(0, line.indexOf(':')).strip()).toList();
      assertThat(codes.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting())))
          .as(path).allSatisfy((code, times) -> assertThat(times).as(path + " exit code " + code).isOne());
    });
  }

  @Test
  void checkListsEveryCauseOfExitOne() {
    assertThat(everyCommand().get("check").usageMessage().exitCodeList().get("1"))
        .contains("the database cannot be opened or needs `db migrate`")
        .contains("--write-test was refused").contains("found an assumption that does not hold");
  }

  /** A script tells a restore whose carry needs an operator from a clean one by the exit code, as status does. */
  @Test
  void restoreAndMarkRestoredListExitThreeForACarryThatIsIncomplete() {
    for (String command : List.of("restore", "db mark-restored")) {
      Map<String, String> help = everyCommand().get(command).usageMessage().exitCodeList();
      assertThat(help.get("0")).as(command).contains("everything").contains("carried forward");
      assertThat(help.get("3")).as(command).contains("could not be carried forward", "`fulcrum-scim restore acknowledge`");
    }
  }

  /** The file of an older release exits 1 and says to migrate; only a newer one exits 2. */
  @Test
  void markRestoredExitsAsItsHelpSaysOnADatabaseOfAnOlderSchema() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir);
    List<String> migrations = OperatorCliTest.migrations();
    OperatorCliTest.olderRelease(cli.database, migrations.subList(0, migrations.size() - 1));

    OpsCliRun.Result older = cli.runWithConfig("db", "mark-restored");

    assertThat(older.exit()).as(older.err()).isEqualTo(1);
    assertThat(older.err()).contains("fulcrum-scim db migrate");
    Map<String, String> help = everyCommand().get("db mark-restored").usageMessage().exitCodeList();
    assertThat(help.get("1")).contains("a schema older than this release's (run `db migrate`)");
    assertThat(help.get("2")).contains("a database newer than this release").doesNotContain("schema version");
  }
}
