package com.fulcrumscim.ops;

/** Exit codes of the operator commands; scripts and monitoring rely on them, so they never change. */
public final class ExitCode {
  /** Done; nothing needs attention. */
  public static final int OK = 0;
  /** The command could not do what was asked (unknown key, wrong state, no database). */
  public static final int FAILED = 1;
  /** config.yml is invalid (also picocli's code for a bad command line). */
  public static final int CONFIG = 2;
  /**
   * The bridge needs an operator: the reconciler is paused or dead rows exist; for {@code restore}
   * and {@code db mark-restored}, restored, but the carry forward is incomplete (the README step
   * and {@code restore acknowledge} are next, as {@code status}, which exits 3 for it too, says).
   */
  public static final int ATTENTION = 3;
  /** Fulcrum is unreachable or refuses the API token. */
  public static final int FULCRUM = 4;

  private ExitCode() {}
}
