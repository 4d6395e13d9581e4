package com.fulcrumscim.journal;

/** The only thing a reconcile gets: which entity, never what happened to it. */
public record ResourceKey(EntityType type, String scimId) {
  public static ResourceKey user(String scimId) {
    return new ResourceKey(EntityType.USER, scimId);
  }

  public static ResourceKey group(String scimId) {
    return new ResourceKey(EntityType.GROUP, scimId);
  }

  @Override
  public String toString() {
    return type.name().toLowerCase(java.util.Locale.ROOT) + "/" + scimId;
  }
}
