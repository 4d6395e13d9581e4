package com.fulcrumscim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A benchmark's report: each line printed as it is made, all of them written to bench/results/NAME at the end. */
final class BenchReport {
  private final List<String> lines = new ArrayList<>();

  void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println(s);
    lines.add(s);
  }

  void write(String name) throws IOException {
    Files.createDirectories(Path.of("bench/results"));
    Files.write(Path.of("bench/results", name), lines);
  }
}
