package com.fulcrumscim.app;

import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether the environment of each running {@code serve} holds FULCRUM_SCIM_TOKEN, by its hash (never
 * the token), kept in the setting table from the node's start until it stops cleanly. {@code token
 * forget-generated} cannot see the service's environment (packaged: /etc/fulcrum-scim/env) and reads
 * this instead. One entry a node, named by its host and SCIM port: behind a balancer every node
 * receives Okta's requests, so every one must accept the token Okta uses, and a node started again
 * at the same address replaces its own entry. A node killed outright leaves its entry until then.
 */
public final class NodeEnvTokens {
  static final String PREFIX = "scim.node_env_token.";
  private static final String UNSET = "unset";

  /** One node's entry: {@code hash} empty when FULCRUM_SCIM_TOKEN is not set in its environment. */
  public record Entry(String node, Optional<String> hash) {
    String describe() {
      return node + " " + hash.map(BearerTokens::prefix).orElse("not set");
    }
  }

  private final SettingStore settings;

  public NodeEnvTokens(SettingStore settings) {
    this.settings = settings;
  }

  /** At start, once the node listens; the answer takes the entry away again at a clean stop. */
  AutoCloseable record(String node, Optional<String> hash) {
    String value = hash.orElse(UNSET);
    settings.put(PREFIX + node, value);
    // only if still this node's: one started meanwhile at the same address wrote its own
    return () -> settings.removeIfStill(PREFIX + node, value, List.of());
  }

  /** Every node's entry, in node order. */
  public List<Entry> entries() {
    // an entry removed between the two reads counts as not set: the command then refuses, changing nothing
    return settings.keysStartingWith(PREFIX).stream().map(key -> new Entry(key.substring(PREFIX.length()),
        settings.get(key).filter(value -> !value.equals(UNSET)))).toList();
  }

  /** The one FULCRUM_SCIM_TOKEN every node accepts; empty when a node has none, their tokens differ, or none told. */
  public static Optional<String> common(List<Entry> entries) {
    List<Optional<String>> distinct = entries.stream().map(Entry::hash).distinct().toList();
    return distinct.size() == 1 ? distinct.get(0) : Optional.empty();
  }

  /** The entries as a line names them: node, then its token's hash prefix or "not set". */
  public static String describe(List<Entry> entries) {
    return entries.stream().map(Entry::describe).collect(Collectors.joining(", "));
  }
}
