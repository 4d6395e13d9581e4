package com.fulcrumscim.resync;

/** Told how far an apply has got; the command line draws it, the scheduled job ignores it. */
public interface Progress {
  Progress NONE = new Progress() {
    @Override
    public void update(String phase, int done, int total) {}

    @Override
    public void finish() {}
  };

  /** {@code done} of {@code total} keys of {@code phase} ("users", "groups") are settled. */
  void update(String phase, int done, int total);

  void finish();
}
