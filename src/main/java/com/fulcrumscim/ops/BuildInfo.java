package com.fulcrumscim.ops;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The release and commit this jar was built from, stamped into a resource by the Maven build. */
public record BuildInfo(String version, String commit) {
  private static final String RESOURCE = "fulcrum-scim-build.properties";
  private static final String UNKNOWN = "unknown";

  public static BuildInfo current() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // an unreadable stamp is no reason to fail --version; it says unknown
    }
    return new BuildInfo(stamped(p, "version"), stamped(p, "commit"));
  }

  /** A placeholder left unfiltered (a build without git, an IDE run) reads as unknown. */
  private static String stamped(Properties p, String key) {
    String value = p.getProperty(key, "");
    return value.isBlank() || value.contains("${") ? UNKNOWN : value;
  }

  @Override
  public String toString() {
    return "fulcrum-scim " + version + " (commit " + commit + ")";
  }
}
