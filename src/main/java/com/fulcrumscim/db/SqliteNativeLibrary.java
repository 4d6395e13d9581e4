package com.fulcrumscim.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * {@code java -cp fulcrum-scim.jar com.fulcrumscim.db.SqliteNativeLibrary FILE}: writes the SQLite native
 * library sqlite-jdbc would load on this machine to FILE, and loads it once to know it can be loaded
 * from there (a noexec mount cannot). The packaged command keeps it beside the class-data archive and
 * points serve at it with {@code org.sqlite.lib.path}: otherwise sqlite-jdbc extracts the library (1.1 MB)
 * at every start and compares it byte by byte with the jar's, about a seventh of the main thread's
 * work before ready (issue 12). Exits 1, leaving no FILE, when either fails.
 */
public final class SqliteNativeLibrary {
  private SqliteNativeLibrary() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        System.err.println("no SQLite native library for this machine in the jar: " + resource);
        System.exit(1);
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      System.load(file.toAbsolutePath().toString());
    } catch (IOException | UnsatisfiedLinkError e) {
      Files.deleteIfExists(file);
      System.err.println("cannot keep the SQLite native library at " + file + ": " + e);
      System.exit(1);
    }
  }
}
