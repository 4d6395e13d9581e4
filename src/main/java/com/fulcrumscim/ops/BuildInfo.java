package com.fulcrumscim.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version and git commit this build was made from (fulcrum-scim-build.properties, filled by Maven). */
public record BuildInfo(String version, String commit) {
  static final String RESOURCE = "/fulcrum-scim-build.properties";

  public static BuildInfo current() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE + " from the jar", e);
    }
    return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("commit")));
  }

  /** Unfiltered placeholders (a build from an IDE that skipped Maven's resources step) are "unknown". */
  private static String known(String value) {
    return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
  }
}
