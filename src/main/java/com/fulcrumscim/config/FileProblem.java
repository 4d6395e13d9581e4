package com.fulcrumscim.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Why a file could not be read, in words: the JDK's file exceptions say it in their type, and
 * their message is only the path (an {@link AccessDeniedException} reads "/etc/x.yml").
 */
public final class FileProblem {
  private FileProblem() {}

  public static String of(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason().toLowerCase(Locale.ROOT); // "Not a directory", "Is a directory"
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
