package com.fulcrumscim.cli;

import com.fulcrumscim.scim.BearerTokens;
import java.io.PrintWriter;
import java.security.SecureRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code token new}: a fresh SCIM bearer token and the config line that accepts it. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "SCIM bearer tokens.", subcommands = TokenCommand.New.class)
public final class TokenCommand {

  @Command(name = "new", mixinStandardHelpOptions = true, description = "Print a fresh random token (paste it into Okta/Entra) and its config.yml line.")
  static final class New implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      String token = BearerTokens.generate(new SecureRandom());
      PrintWriter out = spec.commandLine().getOut();
      out.println("SCIM token: " + token);
      out.println("config.yml, under scim: (keeps only the hash; add to the list if there is one)");
      out.println("  token_hashes: [\"" + BearerTokens.sha256Hex(token) + "\"]");
      out.flush();
    }
  }
}
