package com.fulcrumscim.control;

import java.io.PrintWriter;
import java.util.OptionalLong;

/**
 * Withdraws the request a command submits when the JVM exits (Ctrl-C, SIGTERM) while the command
 * waits for it, so that no daemon carries it out later with no one watching: for approve-removals,
 * removals the operator called off. The hook is in place before the request is submitted (a signal
 * between the submit's commit and a later registration left the request PENDING), and holds the
 * lock a submit holds, so a submit in flight commits first and is withdrawn then.
 */
final class ExitWithdrawal implements AutoCloseable {
  private final RequestStore requests;
  private final PrintWriter notices;
  private final ExitHooks hooks;
  private final Thread hook;
  private final Object lock = new Object();
  /** The submitted request's id; 0 before the submit. */
  private long id;
  /** The JVM exits: nothing may be submitted any more. */
  private boolean exiting;
  /** The command stopped waiting (answered, withdrawn, given up on): nothing left for the hook to do. */
  private boolean settled;

  ExitWithdrawal(RequestStore requests, PrintWriter notices, ExitHooks hooks) {
    this.requests = requests;
    this.notices = notices;
    this.hooks = hooks;
    this.hook = new Thread(this::exits, "withdraw-operator-request");
    try {
      hooks.add(hook);
    } catch (IllegalStateException alreadyExiting) {
      exiting = true;
    }
  }

  /** Submits the request; empty when the JVM is exiting already, and nothing was submitted. */
  OptionalLong submit(OperatorRequest.Kind kind, String target, boolean json) {
    synchronized (lock) {
      if (exiting) {
        return OptionalLong.empty();
      }
      id = requests.submit(kind, target, json);
      return OptionalLong.of(id);
    }
  }

  /** The command waits no more: it has its answer, or found the request withdrawn. */
  void settled() {
    synchronized (lock) {
      settled = true;
    }
  }

  /** Withdraws the request the command no longer waits for (interrupted), and says what became of it. */
  void giveUp() {
    synchronized (lock) {
      if (id == 0 || settled) {
        return;
      }
      settled = true;
      try {
        if (requests.withdraw(id)) {
          notices.println("request #" + id + " withdrawn: the daemon had not begun it, nothing was done");
        } else if (requests.get(id).map(r -> r.state() == OperatorRequest.State.RUNNING).orElse(false)) {
          notices.println("the daemon is already carrying out request #" + id + " and finishes it; "
              + "`fulcrum-scim status` and `fulcrum-scim journal list` show where the work stands");
        }
      } catch (RuntimeException e) {
        // on the way out, often in a shutdown hook: one line, not a stack trace, and the truth about the request
        notices.println("request #" + id + " could not be withdrawn (" + e.getMessage() + "): the daemon may still carry it "
            + "out; `fulcrum-scim status` and `fulcrum-scim journal list` show where the work stands");
      }
      notices.flush();
    }
  }

  private void exits() {
    synchronized (lock) {
      exiting = true;
      giveUp();
    }
  }

  @Override
  public void close() {
    try {
      hooks.remove(hook);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: the hook runs (or ran) and finds the request settled, or withdraws it
    }
  }
}
