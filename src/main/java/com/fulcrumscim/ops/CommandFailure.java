package com.fulcrumscim.ops;

/** An operator command cannot do what was asked; the message says why and what to do. */
public final class CommandFailure extends RuntimeException {
  private final int exitCode;

  public CommandFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CommandFailure(String message) {
    this(ExitCode.FAILED, message);
  }

  public int exitCode() {
    return exitCode;
  }
}
