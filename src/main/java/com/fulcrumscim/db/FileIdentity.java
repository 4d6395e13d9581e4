package com.fulcrumscim.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file's identity, device and inode, whatever name reaches it: a hard link or a bind mount gives
 * one file two names, and a rename onto a name (what a restore does) puts another file behind it.
 */
final class FileIdentity {
  private FileIdentity() {}

  /** The file's device and inode; its real path where the file system has none. */
  static Object of(Path file) throws IOException {
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return key != null ? key : file.toRealPath();
  }
}
