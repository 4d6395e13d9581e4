package com.fulcrumscim.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The user a test cluster's files and processes belong to. PostgreSQL refuses to run as root and CI
 * runs as root, so a root JVM hands the cluster to the {@code postgres} user (Debian's package makes
 * it); any other JVM keeps it for itself.
 */
record ClusterOwner(String name, boolean switchUser) {
  static final String UNPRIVILEGED = "postgres";

  /** Decided by who owns {@code freshDir}: a directory this JVM just made belongs to its effective user. */
  static ClusterOwner forDirectory(Path freshDir) throws IOException {
    if ((int) Files.getAttribute(freshDir, "unix:uid") != 0) {
      return new ClusterOwner(Files.getOwner(freshDir).getName(), false);
    }
    try {
      freshDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(UNPRIVILEGED);
    } catch (UserPrincipalNotFoundException e) {
      throw new IOException("the tests run as root, PostgreSQL refuses root, and there is no '" + UNPRIVILEGED
          + "' user to run it as (install Debian's postgresql package, or useradd --system " + UNPRIVILEGED + ")", e);
    }
    return new ClusterOwner(UNPRIVILEGED, true);
  }

  /** Gives {@code dir} and everything under it to this owner. */
  void take(Path dir) throws IOException {
    if (!switchUser) {
      return;
    }
    UserPrincipal user = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setOwner(p, user);
      }
    }
  }

  /** {@code command} as this owner runs it. */
  List<String> run(List<String> command) {
    if (!switchUser) {
      return command;
    }
    List<String> as = new ArrayList<>(List.of("runuser", "-u", name, "--"));
    as.addAll(command);
    return as;
  }
}
