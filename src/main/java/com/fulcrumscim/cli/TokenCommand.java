package com.fulcrumscim.cli;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.app.NodeTokens;
import com.fulcrumscim.app.ScimTokens;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.scim.BearerTokens;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code token new}: a fresh SCIM bearer token and the config line that accepts it.
 * {@code token forget-generated}: stop accepting the token {@code serve} generated on its first run.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "SCIM bearer tokens.",
    subcommands = {TokenCommand.New.class, TokenCommand.ForgetGenerated.class})
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

  @Command(name = "forget-generated", mixinStandardHelpOptions = true,
      description = {
        "Stop accepting the SCIM token serve generated on its first run, once Okta presents a token of scim.token_hashes.",
        "The generated token stays accepted beside the configured ones until this command, so that switching Okta to a"
            + " configured token leaves no moment in which Okta is refused. A running serve stops accepting it at its next"
            + " reload (systemctl reload fulcrum-scim) or restart. While serve runs, refused unless one token (of"
            + " scim.token_hashes or FULCRUM_SCIM_TOKEN in serve's own environment, packaged: /etc/fulcrum-scim/env) is"
            + " accepted by every running node, as each node records of itself while it runs (again at each reload and"
            + " lease life; a node silent for three of its own lease lives is not counted), the node holding the"
            + " writer lease among them: else a node's next start would generate a new token and shut Okta out. With"
            + " serve stopped (no node holds the writer lease or has recorded itself),"
            + " refused while scim.token_hashes is empty: FULCRUM_SCIM_TOKEN set where this command runs does not count,"
            + " as this command cannot see the service's environment: put that token's hash in"
            + " scim.token_hashes (this command prints the line). A later"
            + " `fulcrum-scim restore` of a backup taken before this command does not bring the token back."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:forgotten, or no generated token was kept",
        "1:no other SCIM token is configured, or no database",
        "2:invalid config or command line"
      })
  static final class ForgetGenerated implements Callable<Integer> {
    /** Where the packaged service's environment is (README, Install). */
    static final String ENV_FILE = "/etc/fulcrum-scim/env";

    @Mixin CommandSupport support;

    @Override
    public Integer call() {
      return support.withDatabase((config, db) -> {
        SettingStore settings = new SettingStore(db);
        Optional<String> kept = ScimTokens.kept(settings);
        if (kept.isEmpty()) {
          support.out().println("no generated SCIM token is kept: nothing to forget");
          return ExitCode.OK;
        }
        // this command's environment is not the service's (review-s10a F8): a token exported in the
        // operator's shell alone let it go ahead, and the next start, without it, generated another
        List<String> configured = config.scim().tokenHashes();
        // each running node has its own config and environment and takes Okta's requests behind the
        // balancer: each must accept the one token Okta is left with, whatever this command's config lists
        List<NodeTokens.Entry> nodes = new NodeTokens(db, DatabaseClock.of(db, Clock.systemUTC())).live(config.ha().leaseTtl());
        Optional<WriterLease.Holder> daemon = daemon(db);
        // serves run without a lease holder too (review-s12a F3): between two (a leader stopped or killed,
        // a node on a refused token leaving it free) and while the database failed renewals
        if (daemon.isEmpty() && nodes.isEmpty()) {
          if (configured.isEmpty()) {
            throw refused(kept.get(), "scim.token_hashes in " + support.configFile() + " is empty", "serve");
          }
          ScimTokens.forget(settings);
          support.out().println(forgot(kept.get()) + "scim.token_hashes " + String.join(", ",
              configured.stream().map(BearerTokens::prefix).toList()) + ", and " + Bridge.SCIM_TOKEN_ENV
              + " if it is set in the service's environment (packaged: " + ENV_FILE + ")");
          return ExitCode.OK;
        }
        if (daemon.isPresent() && nodes.stream().noneMatch(node -> node.holder().equals(daemon.get().holder()))) {
          throw refused(kept.get(), "the running serve holding the writer lease (" + daemon.get().holder() + ") has not"
              + " recorded which SCIM tokens it accepts (a release before 8 December, or still starting" + (nodes.isEmpty()
              ? "" : "; recorded: " + NodeTokens.describe(nodes)) + ")", "that serve");
        }
        Optional<String> everyNodes = NodeTokens.common(nodes);
        if (everyNodes.isEmpty()) {
          throw refused(kept.get(), "no SCIM token of scim.token_hashes or " + Bridge.SCIM_TOKEN_ENV + " is accepted by"
              + " every running serve (" + NodeTokens.describe(nodes) + ")", "every running serve");
        }
        ScimTokens.forget(settings);
        support.out().println(forgot(kept.get()) + BearerTokens.prefix(everyNodes.get())
            + ", accepted by every running serve (" + NodeTokens.describe(nodes) + ")");
        return ExitCode.OK;
      });
    }

    /** Why nothing was changed, and how to get on: {@code who} is whom the generated token is known accepted by. */
    private CommandFailure refused(String kept, String why, String who) {
      return new CommandFailure(why + ": the generated token (" + BearerTokens.prefix(kept) + ") is the only SCIM token"
          + " this command can tell " + who + " accepts, and forgetting it would make the next start generate another;"
          + " nothing was changed. "
          + ScimTokens.envTokenHash(System.getenv(Bridge.SCIM_TOKEN_ENV))
              .map(hash -> Bridge.SCIM_TOKEN_ENV + " is set where this command runs, but serve reads its own environment"
                  + " (packaged: " + ENV_FILE + "), which this command cannot see: put the token's hash under scim: in "
                  + support.configFile() + " as `token_hashes: [\"" + hash + "\"]`, `systemctl reload fulcrum-scim`"
                  + " (serve then accepts both), switch Okta to that token if it still presents the generated one"
                  + " (with scim.token_hashes empty it usually does), then run this again")
              .orElse("First `fulcrum-scim token new`, add its hash to scim.token_hashes (of every node), `systemctl reload"
                  + " fulcrum-scim` and switch Okta to it"));
    }

    private static String forgot(String hash) {
      return "forgot the generated SCIM token (" + BearerTokens.prefix(hash) + "): a running serve accepts it until"
          + " `systemctl reload fulcrum-scim` (or a restart), so Okta must present another token by then: from then on only ";
    }

    /** The serve holding the writer lease now, if one does: it must be among the nodes that recorded their tokens. */
    private static Optional<WriterLease.Holder> daemon(Database db) {
      return new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND).current()
          .filter(holder -> holder.role() == WriterLease.Role.DAEMON);
    }
  }
}
