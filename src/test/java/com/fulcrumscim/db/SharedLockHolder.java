package com.fulcrumscim.db;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child JVM that holds a shared lock on a store's lock file for a moment, as another process's
 * {@code status} does ({@link StoreLock#holder}): {@code SharedLockHolder FILE MILLIS}. Prints
 * "held" once it holds it.
 */
public final class SharedLockHolder {
  private SharedLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
      System.out.println("held");
      System.out.flush();
      Thread.sleep(Long.parseLong(args[1]));
    }
  }
}
