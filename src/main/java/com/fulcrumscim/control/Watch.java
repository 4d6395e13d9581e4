package com.fulcrumscim.control;

/** Follows an operator request while it runs: the plan a resync found, then how far the apply got. */
public interface Watch {
  Watch NONE = new Watch() {
    @Override
    public void planned(String text) {}

    @Override
    public void update(String phase, int done, int total) {}
  };

  /** What a resync found, as the command prints it before applying. */
  void planned(String text);

  /** {@code done} of {@code total} keys of {@code phase} are settled. */
  void update(String phase, int done, int total);

  /** Before it begins, the work waits for {@code what} to finish (see {@link com.fulcrumscim.resync.Progress#waiting}). */
  default void waiting(String what) {}
}
