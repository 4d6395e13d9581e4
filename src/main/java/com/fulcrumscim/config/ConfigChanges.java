package com.fulcrumscim.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys whose values differ between two loaded configs, as config.yml spells them
 * ({@code fulcrum.api_token}, {@code roles.default}): a SIGHUP names those that wait for a restart,
 * so an operator who put a new Fulcrum token in and reloaded learns that it did not take. Only
 * keys, never values: a token or a password is among them.
 */
public final class ConfigChanges {
  private ConfigChanges() {}

  public static List<String> between(BridgeConfig running, BridgeConfig fresh) {
    List<String> changed = new ArrayList<>();
    walk("", running, fresh, changed);
    return changed;
  }

  private static void walk(String prefix, Record running, Record fresh, List<String> changed) {
    for (RecordComponent component : running.getClass().getRecordComponents()) {
      Object was = value(component, running);
      Object is = value(component, fresh);
      String key = prefix + key(component);
      if (was instanceof Record section) {
        walk(key + ".", section, (Record) is, changed);
      } else if (!Objects.equals(was, is)) {
        changed.add(key);
      }
    }
  }

  private static String key(RecordComponent component) {
    JsonProperty named = component.getAccessor().getAnnotation(JsonProperty.class);
    return named != null ? named.value() : PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(component.getName());
  }

  private static Object value(RecordComponent component, Record of) {
    try {
      return component.getAccessor().invoke(of);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("config record " + of.getClass().getSimpleName() + " hides " + component.getName(), e);
    }
  }
}
