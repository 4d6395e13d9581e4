package com.fulcrumscim.fulcrum;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials that are not the bridge's own in text Fulcrum (or a proxy in front of it) sent
 * back: an echoed {@code Authorization} header, a {@code Bearer} or {@code Basic} credential, and
 * the value of anything labelled an API key or token, a secret, a password or a cookie (as
 * {@code label: value}, {@code label=value} or JSON {@code "label":"value"}). Such text becomes
 * exception messages, and so audit rows, work rows' last errors, {@code status} and log lines: it
 * is masked once, where it enters. The bridge's own token is masked by value ({@link ApiToken}).
 */
final class ForeignCredentials {
  static final String MASK = "<redacted>";
  /**
   * A credential is 8 characters or more: shorter words after a scheme or a label are what
   * Fulcrum's messages say ("the Basic plan", "password: must be ...", "secret=false"), kept readable.
   */
  private static final Pattern SCHEME = Pattern.compile("(?i)(\\b(?:Bearer|Basic)\\s+)[A-Za-z0-9._~+/=-]{8,}+");
  private static final Pattern LABELLED = Pattern.compile("(?i)(\\b(?:(?:proxy-)?authorization|x-api-?(?:token|key)"
      + "|api[_-]?(?:token|key|secret)|apikey|(?:access|refresh|id|auth)[_-]?token|client[_-]?secret|secret|token"
      + "|password|passwd|pwd|passphrase|(?:set-)?cookie)\\\\?[\"']?\\s*[:=]\\s*)"
      + "(\\\\?\"(?:[^\"\\\\]++|\\\\[^\"])*+(?:\\\\?\"|$)|'[^']*+(?:'|$)|(?:Bearer|Basic|Digest|Token)\\s+[^\\s\"',;}&\\[{]++"
      + "|[^\\s\"',;}&<\\[{]{8,}+)");
  /**
   * Longer text is cut first (an error text is shortened to a few hundred characters anyway); a
   * quoted value the cut leaves open is masked to the end.
   */
  static final int MAX_CHARS = 16 * 1024;

  private ForeignCredentials() {}

  static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String cut = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    try {
      return masked(cut);
    } catch (StackOverflowError deep) {
      // Java's regex recurses per repetition: text built to defeat the patterns above is not shown at all
      return MASK + " (" + text.length() + " characters not shown)";
    }
  }

  private static String masked(String text) {
    Matcher labelled = LABELLED.matcher(SCHEME.matcher(text).replaceAll("$1" + MASK));
    StringBuilder out = new StringBuilder();
    while (labelled.find()) {
      String value = labelled.group(2);
      String quote = value.startsWith("\\\"") ? "\\\"" : value.startsWith("\"") ? "\"" : value.startsWith("'") ? "'" : "";
      labelled.appendReplacement(out, Matcher.quoteReplacement(labelled.group(1) + quote + MASK + quote));
    }
    labelled.appendTail(out);
    return out.toString();
  }
}
