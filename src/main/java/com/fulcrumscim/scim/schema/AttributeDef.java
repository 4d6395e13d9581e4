package com.fulcrumscim.scim.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One attribute of a SCIM schema with the characteristics of RFC 7643 §2.2. Values, not
 * configuration: the definitions live in {@link ScimSchemas}. Names compare case-insensitively
 * (RFC 7643 §2.1), so lookups here never depend on the case a client used.
 */
public record AttributeDef(
    String name,
    Type type,
    boolean multiValued,
    boolean caseExact,
    Mutability mutability,
    Returned returned,
    Uniqueness uniqueness,
    boolean required,
    List<AttributeDef> subAttributes,
    List<String> canonicalValues,
    List<String> referenceTypes,
    String description) {

  public AttributeDef {
    subAttributes = List.copyOf(subAttributes);
    canonicalValues = List.copyOf(canonicalValues);
    referenceTypes = List.copyOf(referenceTypes);
  }

  /** RFC 7643 §2.3 data types; {@link #wire()} is the name on the wire ("dateTime"). */
  public enum Type {
    STRING, BOOLEAN, DECIMAL, INTEGER, DATE_TIME, BINARY, REFERENCE, COMPLEX;

    public String wire() {
      return camel(name());
    }
  }

  public enum Mutability {
    READ_ONLY, READ_WRITE, IMMUTABLE, WRITE_ONLY;

    public String wire() {
      return camel(name());
    }
  }

  public enum Returned {
    ALWAYS, NEVER, DEFAULT, REQUEST;

    public String wire() {
      return camel(name());
    }
  }

  public enum Uniqueness {
    NONE, SERVER, GLOBAL;

    public String wire() {
      return camel(name());
    }
  }

  /** READ_ONLY to readOnly: the schema's wire names are the constants in lower camel case. */
  private static String camel(String constant) {
    StringBuilder sb = new StringBuilder();
    for (String part : constant.toLowerCase(Locale.ROOT).split("_")) {
      sb.append(sb.length() == 0 ? part
          : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return sb.toString();
  }

  public boolean isComplex() {
    return type == Type.COMPLEX;
  }

  /** Whether a client may write this attribute (readOnly attributes are server-owned). */
  public boolean isReadOnly() {
    return mutability == Mutability.READ_ONLY;
  }

  /** The sub-attribute with this name in any case. */
  public Optional<AttributeDef> subAttribute(String name) {
    return find(subAttributes, name);
  }

  static Optional<AttributeDef> find(List<AttributeDef> defs, String name) {
    for (AttributeDef d : defs) {
      if (d.name.equalsIgnoreCase(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  // ---- construction helpers for the definitions in ScimSchemas

  static Builder of(String name, Type type) {
    return new Builder(name, type);
  }

  static Builder string(String name) {
    return of(name, Type.STRING);
  }

  static Builder bool(String name) {
    return of(name, Type.BOOLEAN);
  }

  static Builder dateTime(String name) {
    return of(name, Type.DATE_TIME);
  }

  static Builder reference(String name, String... referenceTypes) {
    return of(name, Type.REFERENCE).refs(referenceTypes).exact();
  }

  static Builder complex(String name, Builder... subs) {
    return of(name, Type.COMPLEX).subs(subs);
  }

  /** Fluent, single-use builder; only the schema definitions use it. */
  static final class Builder {
    private final String name;
    private final Type type;
    private boolean multiValued;
    private boolean caseExact;
    private Mutability mutability = Mutability.READ_WRITE;
    private Returned returned = Returned.DEFAULT;
    private Uniqueness uniqueness = Uniqueness.NONE;
    private boolean required;
    private final List<AttributeDef> subAttributes = new ArrayList<>();
    private List<String> canonicalValues = List.of();
    private List<String> referenceTypes = List.of();
    private String description = "";

    private Builder(String name, Type type) {
      this.name = name;
      this.type = type;
    }

    Builder multi() {
      multiValued = true;
      return this;
    }

    Builder exact() {
      caseExact = true;
      return this;
    }

    Builder mutability(Mutability m) {
      mutability = m;
      return this;
    }

    Builder returned(Returned r) {
      returned = r;
      return this;
    }

    Builder unique(Uniqueness u) {
      uniqueness = u;
      return this;
    }

    Builder required() {
      required = true;
      return this;
    }

    Builder canonical(String... values) {
      canonicalValues = List.of(values);
      return this;
    }

    Builder refs(String... types) {
      referenceTypes = List.of(types);
      return this;
    }

    Builder describe(String text) {
      description = text;
      return this;
    }

    Builder subs(Builder... subs) {
      for (Builder b : subs) {
        subAttributes.add(b.build());
      }
      return this;
    }

    AttributeDef build() {
      return new AttributeDef(name, type, multiValued, caseExact, mutability, returned,
          uniqueness, required, subAttributes, canonicalValues, referenceTypes, description);
    }
  }

  /**
   * NFC, then lower-cased with {@link Locale#ROOT}: the one folding used for case-insensitive
   * values, so a decomposed spelling compares equal to the composed one stored.
   */
  public static String fold(String s) {
    return IdentityText.nfc(s).toLowerCase(Locale.ROOT);
  }

}
