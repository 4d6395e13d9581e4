package com.fulcrumscim.fulcrum.emulator;

/** A seed file the emulator cannot use, told in one line: which file, where, what is wrong. */
public final class SeedException extends RuntimeException {
  public SeedException(String source, String problem) {
    super(("emulator seed " + source + ": " + problem).replaceAll("\\s*\\R\\s*", " "));
  }
}
