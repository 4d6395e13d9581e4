package com.fulcrumscim.testing;

import com.fulcrumscim.control.CommandChannel;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.db.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * `fulcrum-scim journal retry` as its command runs it, on a thread of its own, beside a daemon a test
 * starts, stops or lets lapse: it asks the daemon, or does the work itself ({@link #IN_PROCESS}).
 */
public final class RetryCommand {
  /** The answer of a run that did the work in-process. */
  public static final OperatorRequest.Answer IN_PROCESS = new OperatorRequest.Answer(0, "in-process" + System.lineSeparator(), "");

  private RetryCommand() {}

  /** Starts the command; what it tells the operator goes to {@code notices}, and {@code workedInProcess} is set if it works itself. */
  public static CompletableFuture<OperatorRequest.Answer> start(Database db, Duration leaseTtl, StringWriter notices,
      AtomicBoolean workedInProcess) {
    CompletableFuture<OperatorRequest.Answer> answer = new CompletableFuture<>();
    Thread command = new Thread(() -> {
      try {
        answer.complete(new CommandChannel(db, Clock.systemUTC(), leaseTtl, new PrintWriter(notices, true))
            .perform(OperatorRequest.Kind.RETRY, null, false, true, Watch.NONE, (w, fence) -> {
              workedInProcess.set(true);
              return IN_PROCESS;
            }));
      } catch (Throwable t) {
        answer.completeExceptionally(t);
      }
    });
    command.start();
    return answer;
  }
}
