package com.fulcrumscim.config;

/** A config problem, told in one line: where, which key, what is wrong. */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String source, String key, String problem) {
    super(source + ": " + (key.isEmpty() ? "" : key + ": ") + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
