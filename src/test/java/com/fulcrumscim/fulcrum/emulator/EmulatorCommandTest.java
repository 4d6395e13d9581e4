package com.fulcrumscim.fulcrum.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.cli.EmulatorCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bin/fulcrum-scim emulator}: its refusals (a running one blocks until killed). */
class EmulatorCommandTest {
  final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new EmulatorCommand()).setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter())).execute(args);
  }

  @Test
  void aMalformedSeedIsOneClearLineAndExitCode2() {
    int code = run("--port", "0", "--seed", "src/test/resources/emulator/malformed-seed.json");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("emulator seed src/test/resources/emulator/malformed-seed.json: line 3").hasLineCount(1);
  }

  @Test
  void thePortIsRequired() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("--port");
  }
}
