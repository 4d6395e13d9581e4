package com.fulcrumscim.config;

/** A config problem, told in one line: where, which key, what is wrong. */
public final class ConfigException extends RuntimeException {
  private final String key;
  private final String problem;

  public ConfigException(String source, String key, String problem) {
    super(source + ": " + (key.isEmpty() ? "" : key + ": ") + problem);
    this.key = key;
    this.problem = problem;
  }

  /** The same problem told against {@code source} (a check made where the file name is not known). */
  public ConfigException in(String source) {
    return new ConfigException(source, key, problem);
  }

  public String key() {
    return key;
  }
}
