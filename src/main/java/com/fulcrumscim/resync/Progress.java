package com.fulcrumscim.resync;

/** Told what an apply found, then how far it has got; the command line draws it, the scheduled job ignores it. */
public interface Progress {
  Progress NONE = new Progress() {
    @Override
    public void planned(ResyncReport plan) {}

    @Override
    public void update(String phase, int done, int total) {}

    @Override
    public void finish() {}
  };

  /** The drift found, before anything is applied (a dry-run report of it). */
  void planned(ResyncReport plan);

  /** {@code done} of {@code total} keys of {@code phase} ("users", "groups") are settled. */
  void update(String phase, int done, int total);

  /**
   * Before it begins, the run waits for {@code what} to finish ("the resync already running since
   * ..."): one run at a time. Only an operator watching wants to hear it.
   */
  default void waiting(String what) {}

  void finish();
}
