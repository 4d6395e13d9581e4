package com.fulcrumscim.scim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.scim.filter.AttrPath;
import com.fulcrumscim.scim.filter.FilterParser;
import com.fulcrumscim.scim.filter.PatchPath;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.JsonFields;
import com.fulcrumscim.scim.schema.ResolvedAttribute;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.scim.schema.ResourceSchema;
import com.fulcrumscim.scim.schema.SchemaDef;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the journal keeps of a request body: the body as sent, less what the bridge keeps nowhere
 * else either. A password ({@link ResourceNormalizer#namesPassword}: Okta's placeholder on every
 * create, a real one with password sync, in any spelling and at any depth) is left out, name and
 * value. An attribute or sub-attribute the schema does not know, which the bridge ignores, keeps
 * its name, so an admin fixing the identity provider's mapping sees what it sent, but its value is
 * written as {@value #IGNORED}: a mapping may send anything there, a national id or an API key.
 * What the bridge does keep (known attributes, custom ones under an extension URN, read-only ones
 * it ignores as echoes) is journaled as sent.
 *
 * <p>Names are resolved as the normalizer resolves a POST or PUT body's and the PATCH editor an
 * operation's path, on the same {@link ResourceSchema}. A request those refuse is never journaled,
 * so what such a request would look like here does not matter. Written straight from the parsed
 * body (no copy of it first): this runs for every change, on the request's thread.
 */
final class JournalText {
  static final String IGNORED = "(ignored)";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonGenerator out;
  private final ResourceSchema schema;

  private JournalText(JsonGenerator out, ResourceSchema schema) {
    this.out = out;
    this.schema = schema;
  }

  /** The text to journal for a POST or PUT body. */
  static String resource(JsonNode body, ResourceSchema schema) {
    return write(schema, text -> text.resourceBody(body));
  }

  /** The text to journal for a PatchOp body. */
  static String patch(JsonNode body, ResourceSchema schema) {
    return write(schema, text -> text.patchBody(body));
  }

  private interface Writing {
    void write(JournalText text) throws IOException;
  }

  private static String write(ResourceSchema schema, Writing writing) {
    StringWriter text = new StringWriter(256);
    try (JsonGenerator out = JSON.createGenerator(text)) {
      writing.write(new JournalText(out, schema));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to a string", e);
    }
    return text.toString();
  }

  /** The value of a member whose name is already written. */
  private interface Member {
    void write(String name, JsonNode value) throws IOException;
  }

  /** An object, each member but a password written by {@code member}; anything else as sent. */
  private void object(JsonNode node, Member member) throws IOException {
    object(node, name -> false, member);
  }

  /** The same, leaving out the members {@code leftOut} names too. */
  private void object(JsonNode node, Predicate<String> leftOut, Member member) throws IOException {
    if (!node.isObject()) {
      asSent(node);
      return;
    }
    out.writeStartObject();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!ResourceNormalizer.namesPassword(field.getKey()) && !leftOut.test(field.getKey())) {
        out.writeFieldName(field.getKey());
        member.write(field.getKey(), field.getValue());
      }
    }
    out.writeEndObject();
  }

  /** A value the bridge keeps (or ignores as a read-only echo), but for any password in it. */
  private void asSent(JsonNode node) throws IOException {
    if (node.isObject()) {
      object(node, (name, value) -> asSent(value));
    } else if (node.isArray()) {
      out.writeStartArray();
      for (JsonNode element : node) {
        asSent(element);
      }
      out.writeEndArray();
    } else {
      out.writeTree(node);
    }
  }

  private void ignored() throws IOException {
    out.writeString(IGNORED);
  }

  /** As {@code ResourceNormalizer.normalize} reads it: schemas, URN keys, core attributes. */
  private void resourceBody(JsonNode body) throws IOException {
    object(body, (name, value) -> {
      if (name.equalsIgnoreCase("schemas")) {
        asSent(value);
      } else if (ResourceNormalizer.isUrn(name)) {
        urnKey(name, value);
      } else {
        coreAttribute(name, value);
      }
    });
  }

  private void coreAttribute(String name, JsonNode value) throws IOException {
    Optional<AttributeDef> def = schema.topLevel(name);
    if (def.isPresent()) {
      attribute(def.get(), value);
    } else {
      ignored();
    }
  }

  /** The core schema's object, an extension's, a URN-qualified attribute or a custom extension. */
  private void urnKey(String key, JsonNode value) throws IOException {
    if (schema.core().id().equalsIgnoreCase(key)) {
      object(value, this::coreAttribute);
      return;
    }
    Optional<SchemaDef> extension = schema.extension(key);
    if (extension.isPresent()) {
      extension(extension.get(), value);
      return;
    }
    Optional<ResolvedAttribute> resolved = schema.resolve(key);
    if (resolved.isPresent() && resolved.get().subAttribute() == null) {
      attribute(resolved.get().attribute(), value);
    } else if (value.isObject() && ResourceNormalizer.isWellFormedUrn(key)) {
      asSent(value);
    } else {
      ignored();
    }
  }

  /** A known extension's object: an attribute it does not define is a custom one, kept. */
  private void extension(SchemaDef extension, JsonNode value) throws IOException {
    object(value, (name, v) -> {
      Optional<AttributeDef> def = extension.attribute(name);
      if (def.isPresent()) {
        attribute(def.get(), v);
      } else {
        asSent(v);
      }
    });
  }

  /** A known attribute's value: a complex one's unknown sub-attributes are ignored. */
  private void attribute(AttributeDef def, JsonNode value) throws IOException {
    if (!def.isComplex()) {
      asSent(value);
    } else if (value.isArray()) {
      out.writeStartArray();
      for (JsonNode element : value) {
        complex(def, element);
      }
      out.writeEndArray();
    } else {
      complex(def, value);
    }
  }

  private void complex(AttributeDef def, JsonNode value) throws IOException {
    object(value, (name, v) -> {
      if (def.subAttribute(name).isPresent()) {
        asSent(v);
      } else {
        ignored();
      }
    });
  }

  /** As {@code PatchApplier} reads it: schemas and Operations; it reads nothing else. */
  private void patchBody(JsonNode body) throws IOException {
    object(body, (name, value) -> {
      if (name.equalsIgnoreCase("schemas")) {
        asSent(value);
      } else if (name.equalsIgnoreCase("Operations") && value.isArray()) {
        out.writeStartArray();
        for (JsonNode op : value) {
          operation(op);
        }
        out.writeEndArray();
      } else {
        ignored();
      }
    });
  }

  /** An operation whose path names a password is kept without its value. */
  private void operation(JsonNode op) throws IOException {
    JsonNode path = JsonFields.get(op, "path");
    String p = path != null && path.isTextual() && !path.textValue().isBlank() ? path.textValue() : null;
    boolean secret = p != null && ResourceNormalizer.namesPassword(p);
    object(op, name -> secret && name.equalsIgnoreCase("value"), (name, value) -> {
      if (name.equalsIgnoreCase("op") || name.equalsIgnoreCase("path")) {
        asSent(value);
      } else if (!name.equalsIgnoreCase("value")) {
        ignored();
      } else if (p == null) {
        // Path-less: each key is itself a path.
        object(value, (key, v) -> {
          if (key.equalsIgnoreCase("schemas")) {
            asSent(v);
          } else {
            at(key, v);
          }
        });
      } else {
        at(p, value);
      }
    });
  }

  /** As {@code ResourceEditor.at} resolves the path. */
  private void at(String path, JsonNode value) throws IOException {
    if (ResourceNormalizer.isUrn(path)) {
      if (schema.knowsSchema(path)) {
        SchemaDef target = schema.extension(path).orElse(schema.core());
        String prefix = target == schema.core() ? "" : target.id() + ":";
        object(value, (name, v) -> at(prefix + name, v));
        return;
      }
      if (value.isObject() && !schema.qualifiedByKnownSchema(path)) {
        asSent(value);
        return;
      }
    }
    PatchPath parsed;
    try {
      parsed = FilterParser.parsePath(path);
    } catch (ScimException refusedByTheEditorToo) {
      ignored();
      return;
    }
    AttrPath ap = parsed.attribute();
    Optional<ResolvedAttribute> resolved = schema.resolve(ap.schemaUrn(), ap.attribute(), ap.subAttribute());
    if (resolved.isEmpty()) {
      boolean core = ap.schemaUrn() == null || schema.core().id().equalsIgnoreCase(ap.schemaUrn());
      if (core) {
        ignored();
      } else {
        asSent(value);
      }
    } else if (parsed.subAttribute() != null) {
      if (resolved.get().attribute().subAttribute(parsed.subAttribute()).isPresent()) {
        asSent(value);
      } else {
        ignored();
      }
    } else if (resolved.get().subAttribute() != null) {
      asSent(value);
    } else {
      attribute(resolved.get().attribute(), value);
    }
  }
}
