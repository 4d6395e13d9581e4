package com.fulcrumscim.control;

/**
 * Where a command registers what must run when the JVM exits (Ctrl-C, SIGTERM): the JVM's shutdown
 * hooks, or in a test one that delivers the signal at a chosen moment.
 */
interface ExitHooks {
  ExitHooks RUNTIME = new ExitHooks() {
    @Override
    public void add(Thread hook) {
      Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void remove(Thread hook) {
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  };

  /** Runs {@code hook} when the JVM exits; {@link IllegalStateException} once it has begun to. */
  void add(Thread hook);

  /** {@link IllegalStateException} once the JVM has begun to exit: the hook runs, or ran. */
  void remove(Thread hook);
}
