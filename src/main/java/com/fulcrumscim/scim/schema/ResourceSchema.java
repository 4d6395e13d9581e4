package com.fulcrumscim.scim.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A resource type with its core schema, its extensions and every attribute a client may name.
 * Resolves attribute paths case-insensitively, plain ({@code name.givenName}) or URN-qualified
 * ({@code urn:...:enterprise:2.0:User:manager.value}).
 */
public enum ResourceSchema {
  USER("User", "/Users", ScimSchemas.CORE_USER_SCHEMA,
      List.of(ScimSchemas.ENTERPRISE_USER_SCHEMA, ScimSchemas.FULCRUM_USER_SCHEMA)),
  GROUP("Group", "/Groups", ScimSchemas.CORE_GROUP_SCHEMA, List.of());

  private final String resourceType;
  private final String endpoint;
  private final SchemaDef core;
  private final List<SchemaDef> extensions;
  private final List<AttributeDef> topLevel;

  ResourceSchema(String resourceType, String endpoint, SchemaDef core, List<SchemaDef> extensions) {
    this.resourceType = resourceType;
    this.endpoint = endpoint;
    this.core = core;
    this.extensions = extensions;
    List<AttributeDef> all = new ArrayList<>(ScimSchemas.COMMON_ATTRIBUTES);
    all.addAll(core.attributes());
    this.topLevel = List.copyOf(all);
  }

  /** "User" or "Group". */
  public String resourceType() {
    return resourceType;
  }

  /** "/Users" or "/Groups", relative to the SCIM base URL. */
  public String endpoint() {
    return endpoint;
  }

  public SchemaDef core() {
    return core;
  }

  public List<SchemaDef> extensions() {
    return extensions;
  }

  /** Attributes that live at the top level of the resource: common and core ones. */
  public List<AttributeDef> topLevelAttributes() {
    return topLevel;
  }

  /** The top-level attribute with this name in any case. */
  public Optional<AttributeDef> topLevel(String name) {
    return AttributeDef.find(topLevel, name);
  }

  /** The extension with this URN in any case. */
  public Optional<SchemaDef> extension(String urn) {
    return extensions.stream().filter(e -> e.id().equalsIgnoreCase(urn)).findFirst();
  }

  /** Whether the URN (any case) is this type's core schema or one of its extensions. */
  public boolean knowsSchema(String urn) {
    return core.id().equalsIgnoreCase(urn) || extension(urn).isPresent();
  }

  /** Whether the path starts with the core or a known extension URN and ':' (any case). */
  public boolean qualifiedByKnownSchema(String path) {
    return schemasLongestFirst().stream().anyMatch(s -> path.regionMatches(true, 0, s.id() + ":", 0, s.id().length() + 1));
  }

  /** The definition of the attribute a path names, if the path is known. */
  public Optional<AttributeDef> attribute(String path) {
    return resolve(path).map(ResolvedAttribute::leaf);
  }

  /** Resolves {@code attr}, {@code attr.sub} or either prefixed by a known schema URN and ':'. */
  public Optional<ResolvedAttribute> resolve(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.startsWith("urn:")) {
      for (SchemaDef s : schemasLongestFirst()) {
        String prefix = s.id().toLowerCase(Locale.ROOT) + ":";
        if (lower.startsWith(prefix)) {
          return resolveIn(s.id(), path.substring(prefix.length()));
        }
      }
      return Optional.empty();
    }
    return resolveIn(null, path);
  }

  private Optional<ResolvedAttribute> resolveIn(String schemaUrn, String rest) {
    int dot = rest.indexOf('.');
    String attr = dot < 0 ? rest : rest.substring(0, dot);
    String sub = dot < 0 ? null : rest.substring(dot + 1);
    return resolve(schemaUrn, attr, sub);
  }

  /**
   * Resolves an already split path: {@code schemaUrn} null or the core URN for top-level
   * attributes, an extension URN otherwise; {@code subAttribute} may be null.
   */
  public Optional<ResolvedAttribute> resolve(String schemaUrn, String attribute, String subAttribute) {
    Optional<AttributeDef> top;
    String extensionUrn = null;
    if (schemaUrn == null || core.id().equalsIgnoreCase(schemaUrn)) {
      top = topLevel(attribute);
    } else {
      Optional<SchemaDef> ext = extension(schemaUrn);
      if (ext.isEmpty()) {
        return Optional.empty();
      }
      extensionUrn = ext.get().id();
      top = ext.get().attribute(attribute);
    }
    if (top.isEmpty()) {
      return Optional.empty();
    }
    if (subAttribute == null) {
      return Optional.of(new ResolvedAttribute(extensionUrn, top.get(), null));
    }
    String ext = extensionUrn;
    return top.get().subAttribute(subAttribute)
        .map(sub -> new ResolvedAttribute(ext, top.get(), sub));
  }

  private List<SchemaDef> schemasLongestFirst() {
    List<SchemaDef> all = new ArrayList<>(extensions);
    all.add(core);
    all.sort((a, b) -> b.id().length() - a.id().length());
    return all;
  }
}
