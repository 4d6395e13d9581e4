package com.fulcrumscim.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.AttributeDef.Type;
import com.fulcrumscim.scim.schema.JsonFields;
import com.fulcrumscim.scim.schema.ResolvedAttribute;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Evaluates a filter against a resource's JSON with the schema's rules: case exactness per
 * attribute (RFC 7643 §2.2), chronological comparison for dateTime, any-element semantics for
 * multi-valued attributes ({@code ne} is the negation of {@code eq}). Unknown attributes and
 * comparisons the type does not support ({@code gt} on a boolean, anything on a complex) are
 * {@code invalidFilter}, detected when the filter is compiled, before any resource is read.
 *
 * <p>Attributes inside an extension the bridge has no schema for (custom URN objects, a custom
 * {@code role} under the enterprise URN) compare as case-insensitive strings. Strings compare in
 * NFC ({@link AttributeDef#fold}).
 *
 * <p>A compiled filter reports what each test of one value costs, in evaluations (see
 * {@link #cost}), so that its caller can bound the work of one request: a string is not one
 * evaluation whatever its length, and {@code co} on a long value with a long literal is the
 * dearest test there is.
 */
public final class FilterEvaluator {
  /** Characters of a value one evaluation covers: comparing a longer one costs one more per this many. */
  private static final int CHARS_PER_EVALUATION = 64;
  /**
   * Characters of a {@code co} literal one evaluation covers: the JDK's search compares it about
   * this many characters at a time at every position of the value, so a longer literal multiplies
   * the cost.
   */
  private static final int LITERAL_CHARS_PER_EVALUATION = 16;

  private static final LongConsumer UNMETERED = units -> {};

  private FilterEvaluator() {}

  /** Checks that every attribute and comparison in the filter is supported; else invalidFilter. */
  public static void validate(Filter filter, ResourceSchema schema) {
    compile(filter, schema, UNMETERED);
  }

  /**
   * Validates once, then tests many resources: what a scan should use. {@code cost} is told what
   * each value test costs, before the test runs; it may throw to stop the scan.
   */
  public static Predicate<JsonNode> compile(Filter filter, ResourceSchema schema, LongConsumer cost) {
    return compile(filter, new Scope(schema, null, cost));
  }

  /**
   * Whether testing the filter reads the core attribute {@code attribute} (any case, with or without
   * the core URN, whole or one of its sub-attributes): a caller may leave out of the resources it
   * tests what the filter does not read and the response does not show.
   */
  public static boolean reads(Filter filter, ResourceSchema schema, String attribute) {
    if (filter instanceof Filter.And and) {
      return reads(and.left(), schema, attribute) || reads(and.right(), schema, attribute);
    }
    if (filter instanceof Filter.Or or) {
      return reads(or.left(), schema, attribute) || reads(or.right(), schema, attribute);
    }
    if (filter instanceof Filter.Not not) {
      return reads(not.filter(), schema, attribute);
    }
    AttrPath path = filter instanceof Filter.Present present ? present.path()
        : filter instanceof Filter.ValuePath vp ? vp.path() : ((Filter.Compare) filter).path();
    return schema.resolve(path.schemaUrn(), path.attribute(), path.subAttribute())
        .filter(r -> !r.inExtension() && r.attribute().name().equalsIgnoreCase(attribute))
        .isPresent();
  }

  public static boolean matches(Filter filter, JsonNode resource, ResourceSchema schema) {
    return compile(filter, schema, UNMETERED).test(resource);
  }

  /** Compiles a value filter ({@code emails[...]}) for the elements of {@code attribute}; {@code cost} as in compile. */
  public static Predicate<JsonNode> compileElement(Filter filter, AttributeDef attribute, LongConsumer cost) {
    return compile(filter, new Scope(null, attribute, cost));
  }

  /**
   * Evaluations one test of a value costs: 1 for a value that is not a string; for one of {@code length}
   * characters, one per started {@value #CHARS_PER_EVALUATION} of them (it is folded and compared
   * whole), times, for {@code co}, one per started {@value #LITERAL_CHARS_PER_EVALUATION} characters
   * of the literal. 64 KiB strings and a 256-character literal make one test cost 16,384.
   */
  public static long cost(int length, CompareOp op, int literalLength) {
    long blocks = Math.max(1, ceilDiv(length, CHARS_PER_EVALUATION));
    return op == CompareOp.CO ? blocks * Math.max(1, ceilDiv(literalLength, LITERAL_CHARS_PER_EVALUATION)) : blocks;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** Where attribute names resolve: a resource's top level, or one element of {@code parent}; where costs go. */
  private record Scope(ResourceSchema schema, AttributeDef parent, LongConsumer cost) {}

  /**
   * A resolved attribute: its definition (null for a custom one) and how to read its values.
   * {@code trimmed}: the values are stored trimmed ({@link ResourceNormalizer#storesTrimmed}), and so is an eq literal.
   */
  private record Target(AttributeDef def, String containerUrn, String name, String sub,
      String label, boolean trimmed) {

    List<JsonNode> values(JsonNode resource) {
      JsonNode container = containerUrn == null ? resource : JsonFields.get(resource, containerUrn);
      List<JsonNode> out = new ArrayList<>();
      collect(JsonFields.get(container, name), sub, out);
      return out;
    }

    private static void collect(JsonNode node, String sub, List<JsonNode> out) {
      if (node == null || node.isNull()) {
        return;
      }
      if (node.isArray()) {
        node.forEach(e -> collect(e, sub, out));
      } else if (sub == null) {
        out.add(node);
      } else {
        collect(JsonFields.get(node, sub), null, out);
      }
    }
  }

  private static Predicate<JsonNode> compile(Filter filter, Scope scope) {
    if (filter instanceof Filter.And and) {
      return compile(and.left(), scope).and(compile(and.right(), scope));
    }
    if (filter instanceof Filter.Or or) {
      return compile(or.left(), scope).or(compile(or.right(), scope));
    }
    if (filter instanceof Filter.Not not) {
      return compile(not.filter(), scope).negate();
    }
    if (filter instanceof Filter.Present present) {
      Target t = target(present.path(), scope, false);
      return r -> t.values(r).stream().anyMatch(present(scope.cost()));
    }
    if (filter instanceof Filter.ValuePath vp) {
      Target t = target(vp.path(), scope, true);
      if (t.def() != null && !t.def().isComplex()) {
        throw ScimException.invalidFilter(t.label() + " is not complex; it has no value filter");
      }
      Predicate<JsonNode> inner = compile(vp.filter(), new Scope(null, t.def(), scope.cost()));
      return r -> t.values(r).stream().anyMatch(inner);
    }
    return comparison((Filter.Compare) filter, scope);
  }

  private static Predicate<JsonNode> comparison(Filter.Compare c, Scope scope) {
    Target t = target(c.path(), scope, false);
    JsonNode literal = c.value();
    if (literal.isNull()) {
      // RFC 7643 §2.5: null means unassigned.
      if (c.op() == CompareOp.EQ || c.op() == CompareOp.NE) {
        Predicate<JsonNode> present = r -> t.values(r).stream().anyMatch(present(scope.cost()));
        return c.op() == CompareOp.EQ ? present.negate() : present;
      }
      throw ScimException.invalidFilter(c.op().wire() + " null is not supported");
    }
    if (c.op() == CompareOp.NE) {
      Predicate<JsonNode> eq = valueTest(t, CompareOp.EQ, literal, scope.cost());
      return r -> t.values(r).stream().noneMatch(eq);
    }
    Predicate<JsonNode> one = valueTest(t, c.op(), literal, scope.cost());
    return r -> t.values(r).stream().anyMatch(one);
  }

  private static Predicate<JsonNode> present(LongConsumer cost) {
    return v -> {
      cost.accept(1);
      return isPresent(v);
    };
  }

  /** The per-value test, charging {@code cost} before it runs. */
  private static Predicate<JsonNode> valueTest(Target t, CompareOp op, JsonNode literal, LongConsumer cost) {
    Predicate<JsonNode> test = valueTest(t, op, literal);
    int literalLength = literal.isTextual() ? literal.textValue().length() : 0;
    return v -> {
      cost.accept(v.isTextual() ? cost(v.textValue().length(), op, literalLength) : 1);
      return test.test(v);
    };
  }

  /** Checks the comparison is meaningful for the attribute's type; returns the per-value test. */
  private static Predicate<JsonNode> valueTest(Target t, CompareOp op, JsonNode literal) {
    Type type = t.def() == null ? rawType(literal) : t.def().type();
    String what = t.label() + " " + op.wire();
    switch (type) {
      case BOOLEAN -> {
        Boolean want = JsonFields.bool(literal);
        if (want == null) {
          throw ScimException.invalidFilter(what + ": expected true or false");
        }
        if (op != CompareOp.EQ) {
          throw ScimException.invalidFilter(what + ": booleans support only eq and ne");
        }
        return v -> want.equals(JsonFields.bool(v));
      }
      case INTEGER, DECIMAL -> {
        requireOrdering(op, what);
        if (!literal.isNumber()) {
          throw ScimException.invalidFilter(what + ": expected a number");
        }
        BigDecimal want = literal.decimalValue();
        return v -> v.isNumber() && ordered(op, v.decimalValue().compareTo(want));
      }
      case DATE_TIME -> {
        requireOrdering(op, what);
        Instant want = literal.isTextual() ? instant(literal.textValue()) : null;
        if (want == null) {
          throw ScimException.invalidFilter(what + ": expected an xsd:dateTime string");
        }
        return v -> {
          Instant have = v.isTextual() ? instant(v.textValue()) : null;
          return have != null && ordered(op, have.compareTo(want));
        };
      }
      case COMPLEX -> throw ScimException.invalidFilter(
          t.label() + " is complex; compare one of its sub-attributes");
      default -> {
        if (!literal.isTextual()) {
          throw ScimException.invalidFilter(what + ": expected a string");
        }
        boolean exact = t.def() != null && t.def().caseExact();
        String text = op == CompareOp.EQ && t.trimmed() ? literal.textValue().strip() : literal.textValue();
        String want = exact ? text : AttributeDef.fold(text);
        return v -> {
          if (!v.isTextual()) {
            return false;
          }
          String have = exact ? v.textValue() : AttributeDef.fold(v.textValue());
          return switch (op) {
            case CO -> have.contains(want);
            case SW -> have.startsWith(want);
            case EW -> have.endsWith(want);
            default -> ordered(op, have.compareTo(want));
          };
        };
      }
    }
  }

  private static void requireOrdering(CompareOp op, String what) {
    if (op == CompareOp.CO || op == CompareOp.SW || op == CompareOp.EW) {
      throw ScimException.invalidFilter(what + ": only strings support co, sw and ew");
    }
  }

  /** eq/gt/ge/lt/le on the result of a compareTo (ne is not-eq, handled by the caller). */
  private static boolean ordered(CompareOp op, int cmp) {
    return switch (op) {
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      default -> cmp == 0;
    };
  }

  private static Type rawType(JsonNode literal) {
    if (literal.isBoolean()) {
      return Type.BOOLEAN;
    }
    return literal.isNumber() ? Type.DECIMAL : Type.STRING;
  }

  private static Target target(AttrPath path, Scope scope, boolean valuePath) {
    if (scope.schema() == null) {
      return elementTarget(path, scope.parent());
    }
    ResourceSchema schema = scope.schema();
    ResolvedAttribute r = schema.resolve(path.schemaUrn(), path.attribute(), path.subAttribute())
        .orElse(null);
    if (r != null) {
      AttributeDef def = r.leaf();
      String sub = r.subAttribute() == null ? null : r.subAttribute().name();
      if (sub == null && def.isComplex() && !valuePath) {
        // RFC 7644 §3.4.2.2: a complex multi-valued attribute compares on its "value".
        AttributeDef value = def.subAttribute("value").orElse(null);
        if (value != null && def.multiValued()) {
          return new Target(value, r.extensionUrn(), def.name(), "value", r.path(),
              ResourceNormalizer.storesTrimmed(r.extensionUrn(), def.name() + ".value"));
        }
      }
      return new Target(def, r.extensionUrn(), r.attribute().name(), sub, r.path(), ResourceNormalizer.storesTrimmed(
          r.extensionUrn(), sub == null ? r.attribute().name() : r.attribute().name() + "." + sub));
    }
    boolean coreSchema = path.schemaUrn() == null
        || schema.core().id().equalsIgnoreCase(path.schemaUrn());
    if (coreSchema || schema.extension(path.schemaUrn()).map(e -> e.attribute(path.attribute())
        .isPresent()).orElse(false)) {
      throw ScimException.invalidFilter("Unknown attribute " + path + " for "
          + schema.resourceType());
    }
    // A custom attribute in an extension object the bridge keeps as sent.
    return new Target(null, path.schemaUrn(), path.attribute(), path.subAttribute(),
        path.toString(), path.subAttribute() == null && ResourceNormalizer.storesTrimmed(path.schemaUrn(), path.attribute()));
  }

  private static Target elementTarget(AttrPath path, AttributeDef parent) {
    if (path.schemaUrn() != null || path.subAttribute() != null) {
      throw ScimException.invalidFilter("Inside a value filter, name a sub-attribute: " + path);
    }
    if (parent == null) {
      return new Target(null, null, path.attribute(), null, path.toString(), false);
    }
    AttributeDef sub = parent.subAttribute(path.attribute()).orElseThrow(() ->
        ScimException.invalidFilter("Unknown attribute " + parent.name() + "." + path.attribute()));
    String label = parent.name() + "." + sub.name();
    return new Target(sub, null, sub.name(), null, label, ResourceNormalizer.storesTrimmed(null, label));
  }

  private static boolean isPresent(JsonNode v) {
    return !(v.isNull() || (v.isTextual() && v.textValue().isEmpty())
        || (v.isContainerNode() && v.isEmpty()));
  }


  private static Instant instant(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
