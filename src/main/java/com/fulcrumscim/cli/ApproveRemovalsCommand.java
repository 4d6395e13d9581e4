package com.fulcrumscim.cli;

import com.fulcrumscim.control.CommandChannel;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.ops.CommandSupport;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code approve-removals}: lets every removal the mass-removal guard holds go ahead once, through
 * the one writer: a running daemon approves and applies them at once; with none, this command
 * approves them under the writer lease and the daemon applies them when it starts.
 */
@Command(name = "approve-removals", mixinStandardHelpOptions = true,
    description = "Approve the member removals held by the mass-removal guard; each goes ahead once.")
public final class ApproveRemovalsCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Override
  public Integer call() {
    return support.withDatabase((config, db) -> {
      Clock clock = Clock.systemUTC();
      OperatorRequest.Answer answer = new CommandChannel(db, clock).perform(OperatorRequest.Kind.APPROVE_REMOVALS, null,
          false, true, Watch.NONE, (watch, fence) -> OperatorActions.configured(config, db, clock, () -> {}).approveRemovals());
      return answer.printTo(support.out(), support.err());
    });
  }
}
