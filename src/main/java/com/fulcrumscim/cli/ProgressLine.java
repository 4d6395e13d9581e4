package com.fulcrumscim.cli;

import com.fulcrumscim.control.Watch;
import java.io.PrintWriter;

/**
 * Shows a resync as it runs: the plan on stdout, then a progress bar on stderr when someone
 * watches (a terminal) or the work is long enough to want one, as plain lines otherwise.
 */
final class ProgressLine implements Watch {
  /** More keys than this get progress even when stderr is not a terminal. */
  static final int PROGRESS_ABOVE = 50;
  private static final int WIDTH = 30;

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal = System.console() != null;
  private boolean drawn;

  ProgressLine(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public void planned(String text) {
    out.print(text);
    out.flush();
  }

  @Override
  public void update(String phase, int done, int total) {
    if (terminal) {
      int filled = total == 0 ? WIDTH : done * WIDTH / total;
      err.print("\rapplying " + phase + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
      drawn = true;
    } else if (total > PROGRESS_ABOVE) {
      err.println("applying " + phase + ": " + done + "/" + total);
    }
    err.flush();
  }

  /** Ends the bar's line, so what follows starts on its own. */
  void finish() {
    if (drawn) {
      err.println();
      err.flush();
    }
  }
}
