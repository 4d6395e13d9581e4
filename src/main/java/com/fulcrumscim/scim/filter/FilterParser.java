package com.fulcrumscim.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.InputLimits;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths. Never throws
 * anything but {@code ScimException} ({@code invalidFilter}, or {@code invalidPath} for paths)
 * carrying the 0-based position of the problem; input length and nesting depth are bounded so a
 * hostile filter cannot exhaust the stack.
 *
 * <p>Precedence, loosest first: {@code or}, {@code and}, then {@code not(...)}, {@code (...)} and
 * attribute expressions. Operators and the literals true/false/null are case-insensitive (ABNF).
 * Besides the RFC grammar it accepts Entra's {@code emails[type eq "work"].value eq "x"}.
 */
public final class FilterParser {
  public static final int MAX_LENGTH = 4096;
  /** Parentheses, not() and value filters nested deeper than this are rejected. */
  public static final int MAX_DEPTH = 50;
  /**
   * Characters in a co, sw or ew literal: as long as the longest name or email the bridge stores,
   * while the cost of {@code co} grows with the literal's length times the value's.
   */
  public static final int MAX_SUBSTRING_LITERAL = 256;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String text;
  private final boolean pathMode;
  private int pos;
  private int depth;
  private boolean inValueFilter;

  private FilterParser(String text, boolean pathMode) {
    this.text = text;
    this.pathMode = pathMode;
  }

  /** Parses a {@code filter} query parameter. */
  public static Filter parse(String filter) {
    FilterParser p = new FilterParser(checked(filter, false), false);
    p.skipWs();
    Filter f = p.orExpr();
    p.skipWs();
    if (!p.atEnd()) {
      throw p.error("unexpected '" + p.text.charAt(p.pos) + "'");
    }
    return f;
  }

  /** Parses a PATCH operation's {@code path}. */
  public static PatchPath parsePath(String path) {
    FilterParser p = new FilterParser(checked(path, true), true);
    p.skipWs();
    AttrPath attr = p.attrPath();
    Filter valueFilter = null;
    String sub = null;
    if (p.peek() == '[') {
      valueFilter = p.valueFilter(attr);
      if (p.peek() == '.') {
        p.pos++;
        sub = p.name();
      }
    }
    p.skipWs();
    if (!p.atEnd()) {
      throw p.error("unexpected '" + p.text.charAt(p.pos) + "'");
    }
    return new PatchPath(attr, valueFilter, sub);
  }

  private static String checked(String s, boolean pathMode) {
    String what = pathMode ? "path" : "filter";
    if (s == null || s.isBlank()) {
      throw failure(pathMode, "The " + what + " is empty");
    }
    if (s.length() > MAX_LENGTH) {
      throw failure(pathMode, "The " + what + " is longer than " + MAX_LENGTH + " characters");
    }
    return s;
  }

  private Filter orExpr() {
    Filter left = andExpr();
    while (keyword("or")) {
      left = new Filter.Or(left, andExpr());
    }
    return left;
  }

  private Filter andExpr() {
    Filter left = unary();
    while (keyword("and")) {
      left = new Filter.And(left, unary());
    }
    return left;
  }

  private Filter unary() {
    skipWs();
    if (peek() == '(') {
      return group();
    }
    int start = pos;
    if (wordAhead("not")) {
      pos += 3;
      skipWs();
      if (peek() != '(') {
        throw error("expected '(' after not");
      }
      return new Filter.Not(group());
    }
    pos = start;
    return attrExpr();
  }

  private Filter group() {
    return enclosed(')');
  }

  /** The filter between the opening character at pos and {@code close}, one level deeper. */
  private Filter enclosed(char close) {
    int open = pos;
    pos++;
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
    skipWs();
    Filter inner = orExpr();
    skipWs();
    if (peek() != close) {
      throw atEnd() ? error(open, "'" + text.charAt(open) + "' is never closed")
          : error("expected '" + close + "'");
    }
    pos++;
    depth--;
    return inner;
  }

  private Filter attrExpr() {
    AttrPath path = attrPath();
    if (peek() == '[') {
      Filter inner = valueFilter(path);
      if (peek() != '.') {
        return new Filter.ValuePath(path, inner);
      }
      pos++;
      AttrPath sub = new AttrPath(null, name(), null);
      return new Filter.ValuePath(path, new Filter.And(inner, comparison(sub)));
    }
    return comparison(path);
  }

  private Filter comparison(AttrPath path) {
    int beforeWs = pos;
    skipWs();
    if (pos == beforeWs) {
      throw error("expected a space and an operator after " + path);
    }
    int opStart = pos;
    String op = word();
    if (op.equals("pr")) {
      return new Filter.Present(path);
    }
    CompareOp compareOp = switch (op) {
      case "eq" -> CompareOp.EQ;
      case "ne" -> CompareOp.NE;
      case "co" -> CompareOp.CO;
      case "sw" -> CompareOp.SW;
      case "ew" -> CompareOp.EW;
      case "gt" -> CompareOp.GT;
      case "ge" -> CompareOp.GE;
      case "lt" -> CompareOp.LT;
      case "le" -> CompareOp.LE;
      default -> throw error(opStart, op.isEmpty() ? "expected an operator"
          : "unknown operator '" + op + "'");
    };
    skipWs();
    int literalStart = pos;
    JsonNode literal = literal();
    boolean substring = compareOp == CompareOp.CO || compareOp == CompareOp.SW || compareOp == CompareOp.EW;
    if (substring && literal.isTextual() && literal.textValue().length() > MAX_SUBSTRING_LITERAL) {
      throw error(literalStart, op + " takes a string of at most " + MAX_SUBSTRING_LITERAL + " characters, not "
          + literal.textValue().length());
    }
    return new Filter.Compare(path, compareOp, literal);
  }

  private Filter valueFilter(AttrPath path) {
    int open = pos;
    if (path.subAttribute() != null) {
      throw error("a value filter applies to an attribute, not to " + path);
    }
    if (inValueFilter) {
      throw error("value filters cannot be nested");
    }
    inValueFilter = true;
    Filter inner = enclosed(']');
    inValueFilter = false;
    return inner;
  }

  /** {@code [URN ":"] ATTRNAME ["." ATTRNAME]}; a URN ends at its last ':'. */
  private AttrPath attrPath() {
    int start = pos;
    while (!atEnd() && isPathChar(text.charAt(pos))) {
      pos++;
    }
    String token = text.substring(start, pos);
    if (token.isEmpty()) {
      throw error(atEnd() ? "expected an attribute name, found the end"
          : "expected an attribute name, found '" + text.charAt(pos) + "'");
    }
    String schema = null;
    String rest = token;
    int restStart = start;
    if (token.regionMatches(true, 0, "urn:", 0, 4)) {
      int colon = token.lastIndexOf(':');
      schema = token.substring(0, colon);
      rest = token.substring(colon + 1);
      restStart = start + colon + 1;
    }
    int dot = rest.indexOf('.');
    String attr = dot < 0 ? rest : rest.substring(0, dot);
    String sub = dot < 0 ? null : rest.substring(dot + 1);
    checkName(attr, restStart);
    if (sub != null) {
      checkName(sub, restStart + dot + 1);
    }
    return new AttrPath(schema, attr, sub);
  }

  private String name() {
    int start = pos;
    while (!atEnd() && isNameChar(text.charAt(pos))) {
      pos++;
    }
    String name = text.substring(start, pos);
    checkName(name, start);
    return name;
  }

  /** RFC 7643 §2.1 ATTRNAME (ALPHA *(nameChar)), plus {@code $ref}. */
  private void checkName(String name, int at) {
    boolean ok = !name.isEmpty() && (isAlpha(name.charAt(0)) || name.equals("$ref"));
    for (int i = 1; ok && i < name.length(); i++) {
      ok = isNameChar(name.charAt(i)) && name.charAt(i) != '$';
    }
    if (!ok) {
      throw error(at, "invalid attribute name '" + name + "'");
    }
  }

  private JsonNode literal() {
    int start = pos;
    char c = peek();
    if (c == '"') {
      return TextNode.valueOf(string());
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    }
    String w = word();
    return switch (w) {
      case "true" -> BooleanNode.TRUE;
      case "false" -> BooleanNode.FALSE;
      case "null" -> NullNode.instance;
      default -> throw error(start, "expected a value (string, number, true, false or null)");
    };
  }

  private String string() {
    int start = pos;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (atEnd()) {
        throw error(start, "unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return checkedString(start, sb.toString());
      }
      if (c < 0x20) {
        throw error(pos - 1, "control character in string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (atEnd()) {
        throw error(start, "unterminated string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> sb.append(unicodeEscape());
        default -> throw error(pos - 2, "invalid escape '\\" + e + "'");
      }
    }
  }

  /**
   * A lone surrogate (a {@code \uD800} escape without its pair) is invalid Unicode, refused in any
   * value a client sends: no value holds one, and both JDBC drivers send it as '?', so a lookup on
   * the index matched a name '?' that the evaluation over the rows did not.
   */
  private String checkedString(int start, String s) {
    int lone = InputLimits.loneSurrogate(s);
    if (lone >= 0) {
      throw ScimException.invalidValue((pathMode ? "Invalid path" : "Invalid filter") + " at position " + start
          + ": a string holds invalid Unicode (a lone surrogate U+" + String.format("%04X", (int) s.charAt(lone)) + ")");
    }
    return s;
  }

  private char unicodeEscape() {
    int start = pos - 2;
    if (pos + 4 > text.length()) {
      throw error(start, "invalid \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos++), 16);
      if (d < 0) {
        throw error(start, "invalid \\u escape");
      }
      v = v * 16 + d;
    }
    if (v == 0) {
      // No stored value holds NUL (request bodies are refused for it); PostgreSQL refused it as a query parameter: a 500.
      throw ScimException.invalidValue((pathMode ? "Invalid path" : "Invalid filter") + " at position " + start
          + ": a string holds U+0000 (NUL), which no attribute may hold");
    }
    return (char) v;
  }

  /** JSON number: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
  private JsonNode number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    int intStart = pos;
    digits();
    if (pos == intStart || (text.charAt(intStart) == '0' && pos - intStart > 1)) {
      throw error(start, "invalid number");
    }
    boolean integral = true;
    if (peek() == '.') {
      pos++;
      integral = false;
      if (digits() == 0) {
        throw error(start, "invalid number");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (digits() == 0) {
        throw error(start, "invalid number");
      }
    }
    String n = text.substring(start, pos);
    try {
      return integral ? JSON.numberNode(new BigInteger(n)) : JSON.numberNode(new BigDecimal(n));
    } catch (NumberFormatException | ArithmeticException e) {
      throw error(start, "invalid number");
    }
  }

  private int digits() {
    int start = pos;
    while (!atEnd() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
      pos++;
    }
    return pos - start;
  }

  /** Consumes the keyword (after optional whitespace) if it comes next as a whole word. */
  private boolean keyword(String kw) {
    int start = pos;
    skipWs();
    if (pos > start && wordAhead(kw)) {
      pos += kw.length();
      if (pos < text.length() && !Character.isWhitespace(text.charAt(pos))
          && text.charAt(pos) != '(') {
        throw error("expected a space after " + kw);
      }
      return true;
    }
    pos = start;
    return false;
  }

  private boolean wordAhead(String w) {
    int end = pos + w.length();
    return text.regionMatches(true, pos, w, 0, w.length())
        && (end == text.length() || !isNameChar(text.charAt(end)));
  }

  /** A run of letters, lower-cased. */
  private String word() {
    int start = pos;
    while (!atEnd() && isAlpha(text.charAt(pos))) {
      pos++;
    }
    return text.substring(start, pos).toLowerCase(Locale.ROOT);
  }

  private void skipWs() {
    while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    return atEnd() ? '\0' : text.charAt(pos);
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isNameChar(char c) {
    return isAlpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$';
  }

  private static boolean isPathChar(char c) {
    return isNameChar(c) || c == ':' || c == '.';
  }

  private ScimException error(String what) {
    return error(pos, what);
  }

  private ScimException error(int at, String what) {
    return failure(pathMode, (pathMode ? "Invalid path" : "Invalid filter") + " at position " + at
        + ": " + what);
  }

  private static ScimException failure(boolean pathMode, String detail) {
    return pathMode ? ScimException.invalidPath(detail) : ScimException.invalidFilter(detail);
  }
}
