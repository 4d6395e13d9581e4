package com.fulcrumscim.journal;

/**
 * Text from the database made safe to print on an operator's terminal: stored names and errors
 * come from clients and Fulcrum, and an ESC or C1 character in them would drive the terminal.
 */
public final class TerminalText {
  private TerminalText() {}

  /**
   * Control characters other than newline, Unicode's bidirectional controls, and lone surrogates,
   * written as {@code \\uXXXX}: a right-to-left override in a name would show the rest of a line
   * (an id, a verdict) reversed, reading as something it is not.
   */
  public static String escape(String text) {
    return escape(text, false);
  }

  /**
   * {@link #escape} of a log message: newlines too, and Unicode's line and paragraph separators, so
   * text a client chose (an attribute name, a member id) cannot start a line that reads as the
   * bridge's own (a forged ERROR). A tab stays.
   */
  public static String oneLine(String text) {
    return escape(text, true);
  }

  /**
   * {@code text}, or its first {@code max} characters and "...": a value a client chose (a name, a
   * path, an id), quoted in an error or a log line, which it must not make as long as itself.
   */
  public static String cut(String text, int max) {
    return text.length() > max ? text.substring(0, max) + "..." : text;
  }

  private static String escape(String text, boolean oneLine) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean unsafe = oneLine
          ? c != '\t' && (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || isBidiControl(c)
              || isLoneSurrogate(text, i))
          : c != '\n' && (Character.isISOControl(c) || isBidiControl(c) || isLoneSurrogate(text, i));
      if (unsafe && out == null) {
        out = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (unsafe) {
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  /** The marks, embeddings, overrides and isolates of Unicode's bidirectional algorithm (UAX #9). */
  private static boolean isBidiControl(char c) {
    return c == '\u061c' || c == '\u200e' || c == '\u200f' || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }

  private static boolean isLoneSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
  }
}
