package com.fulcrumscim.control;

/**
 * Gives a command's writer lease up when the JVM exits (Ctrl-C, SIGTERM) while the command works
 * in-process (review-s6b N3): left to expire, it kept a daemon starting next out for up to
 * {@code ha.lease_ttl}. The command counts the lease as lost first ({@link CommandLease#exit}): its
 * Fulcrum writes and claims are refused from then on, on either store, and its work is stopped.
 */
final class ExitRelease {
  private final ExitHooks hooks;
  private final Thread hook;

  ExitRelease(CommandLease lease, ExitHooks hooks) {
    this.hooks = hooks;
    this.hook = new Thread(lease::exit, "release-writer-lease");
    try {
      hooks.add(hook);
    } catch (IllegalStateException alreadyExiting) {
      // the JVM exits already: the command's own close gives the lease up, or it expires
    }
  }

  /** The command ended: its own close gives the lease up. */
  void close() {
    try {
      hooks.remove(hook);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: the hook runs (or ran) and gives the lease up
    }
  }
}
