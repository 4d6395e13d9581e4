package com.fulcrumscim.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads config.yml over the built-in defaults, expands {@code ${NAME}} and {@code ${NAME:-fallback}}
 * from the environment, and validates. Every failure is a {@link ConfigException} naming the key.
 */
public final class ConfigLoader {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private final Function<String, String> environment;

  public ConfigLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  public static ConfigLoader fromSystemEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  public BridgeConfig load(Path file) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, "", "file not found");
    } catch (IOException e) {
      throw new ConfigException(source, "", "cannot read: " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(source, text, dir == null ? Path.of(".") : dir);
  }

  /** The defaults alone, as if config.yml were empty. */
  public BridgeConfig defaults() {
    return parse("defaults", "{}");
  }

  public BridgeConfig parse(String source, String yaml) {
    return parse(source, yaml, Path.of("."));
  }

  /** {@code configDir}: where relative file names in the config (fulcrum.api_token_file) are looked up. */
  private BridgeConfig parse(String source, String yaml, Path configDir) {
    ObjectMapper mapper = mapper();
    ObjectNode merged = defaultsTree(mapper);
    JsonNode user;
    try {
      user = mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new ConfigException(source + (line > 0 ? ":" + line : ""), "", "not valid YAML: " + e.getOriginalMessage());
    }
    if (user != null && !user.isNull() && !user.isMissingNode()) {
      if (!user.isObject()) {
        throw new ConfigException(source, "", "must be a mapping of sections (server:, storage:, ...)");
      }
      merge(source, "", merged, (ObjectNode) user);
    }
    expand(source, "", merged);
    BridgeConfig config;
    try {
      config = mapper.treeToValue(merged, BridgeConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(source, keyOf(e), "unknown key (known: " + e.getKnownPropertyIds().stream()
          .map(Object::toString).map(ConfigLoader::snake).sorted().collect(Collectors.joining(", ")) + ")");
    } catch (JsonMappingException e) {
      throw new ConfigException(source, keyOf(e), "invalid value: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, "", e.getOriginalMessage());
    }
    config = ApiTokenFile.read(source, config, configDir, environment);
    validate(source, config);
    return config;
  }

  private static ObjectMapper mapper() {
    SimpleModule durations = new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer());
    return new ObjectMapper(new YAMLFactory())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .registerModule(durations)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  private static ObjectNode defaultsTree(ObjectMapper mapper) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream("config-defaults.yml")) {
      return (ObjectNode) mapper.readTree(in);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("config-defaults.yml missing from the build", e);
    }
  }

  /** Overlays {@code user} on {@code base}, section by section; unknown sections fail later. */
  private static void merge(String source, String prefix, ObjectNode base, ObjectNode user) {
    Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix + field.getKey();
      JsonNode existing = base.get(field.getKey());
      JsonNode value = field.getValue();
      if (existing != null && existing.isObject()) {
        if (value.isNull()) {
          continue;
        }
        if (!value.isObject()) {
          throw new ConfigException(source, key, "must be a section of keys, not a single value");
        }
        merge(source, key + ".", (ObjectNode) existing, (ObjectNode) value);
      } else {
        base.set(field.getKey(), value.isNull() && existing != null ? existing : value);
      }
    }
  }

  private void expand(String source, String prefix, JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String key = prefix + field.getKey();
        if (field.getValue().isTextual()) {
          field.setValue(TextNode.valueOf(substitute(source, key, field.getValue().asText())));
        } else {
          expand(source, key + ".", field.getValue());
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (node.get(i).isTextual()) {
          ((com.fasterxml.jackson.databind.node.ArrayNode) node)
              .set(i, TextNode.valueOf(substitute(source, prefix + i, node.get(i).asText())));
        }
      }
    }
  }

  private String substitute(String source, String key, String value) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String found = environment.apply(m.group(1));
      if (found == null) {
        if (m.group(2) == null) {
          throw new ConfigException(source, key.replaceAll("\\.$", ""),
              "environment variable " + m.group(1) + " is not set (write ${" + m.group(1) + ":-} to allow empty)");
        }
        found = m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(found));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static void validate(String source, BridgeConfig c) {
    check(source, "server.host", !c.server().host().isBlank(), "must not be empty");
    checkPort(source, "server.port", c.server().port(), false);
    checkPort(source, "server.ops_port", c.server().opsPort(), true);
    check(source, "server.max_body_bytes", c.server().maxBodyBytes() >= 1024, "must be at least 1024");
    check(source, "server.tls", c.server().tls().certificate().isBlank() == c.server().tls().privateKey().isBlank(),
        "certificate and private_key go together: set both or neither");
    check(source, "storage.path", !c.storage().path().toString().isBlank(), "must name the SQLite file");
    for (int i = 0; i < c.scim().tokenHashes().size(); i++) {
      check(source, "scim.token_hashes." + i, SHA256_HEX.matcher(c.scim().tokenHashes().get(i)).matches(),
          "must be a SHA-256 hex digest (64 lower-case hex digits); `fulcrum-scim token new` prints one");
    }
    check(source, "scim.max_page_size", c.scim().maxPageSize() >= 1, "must be at least 1");
    check(source, "scim.auth_failures_per_minute", c.scim().authFailuresPerMinute() >= 1, "must be at least 1");
    BridgeConfig.Fulcrum f = c.fulcrum();
    if (!f.embedded()) {
      check(source, "fulcrum.base_url", isHttpUrl(f.baseUrl()), "must be 'embedded' or an http(s) URL, got '" + f.baseUrl() + "'");
      check(source, f.apiTokenFile().isBlank() ? "fulcrum.api_token" : ApiTokenFile.KEY, !f.apiToken().isBlank(),
          f.apiTokenFile().isBlank() ? "is required when fulcrum.base_url is a real Fulcrum URL"
              : "the file is empty; put the Fulcrum API token in it");
    }
    check(source, "fulcrum.calls_per_hour", f.callsPerHour() >= 1, "must be at least 1");
    checkPositive(source, "fulcrum.connect_timeout", f.connectTimeout());
    checkPositive(source, "fulcrum.read_timeout", f.readTimeout());
    checkPositive(source, "reconcile.interval", c.reconcile().interval());
    checkPositive(source, "reconcile.retry_budget", c.reconcile().retryBudget());
    check(source, "reconcile.parallelism", c.reconcile().parallelism() >= 1 && c.reconcile().parallelism() <= 64, "must be 1 to 64");
    check(source, "reconcile.batch_size", c.reconcile().batchSize() >= 1, "must be at least 1");
    check(source, "guard.mass_removal_percent", c.guard().massRemovalPercent() >= 1 && c.guard().massRemovalPercent() <= 100, "must be 1 to 100");
    check(source, "guard.mass_removal_minimum", c.guard().massRemovalMinimum() >= 0, "must not be negative");
    check(source, "logging.format", c.logging().format().equals("text") || c.logging().format().equals("json"), "must be text or json");
    check(source, "logging.level", c.logging().level().matches("(?i)TRACE|DEBUG|INFO|WARN|ERROR"), "must be TRACE, DEBUG, INFO, WARN or ERROR");
    String schedule = c.resync().schedule();
    check(source, "resync.schedule", schedule.isBlank() || org.quartz.CronExpression.isValidExpression(schedule),
        "not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week), got '" + schedule + "'");
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI u = URI.create(s);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void checkPort(String source, String key, int port, boolean zeroAllowed) {
    check(source, key, (zeroAllowed && port == 0) || (port >= 1 && port <= 65535),
        zeroAllowed ? "must be 0 (same as server.port) or 1 to 65535" : "must be 1 to 65535");
  }

  private static void checkPositive(String source, String key, Duration d) {
    check(source, key, !d.isNegative() && !d.isZero(), "must be longer than zero");
  }

  private static void check(String source, String key, boolean ok, String problem) {
    if (!ok) {
      throw new ConfigException(source, key, problem);
    }
  }

  private static String keyOf(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? snake(r.getFieldName()) : String.valueOf(r.getIndex()))
        .collect(Collectors.joining("."));
  }

  private static String snake(String name) {
    return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(name);
  }

  /** "250ms", "10s", "5m", "24h", "7d", or ISO-8601 ("PT10S"). */
  static Duration parseDuration(String text) {
    String t = text.strip();
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    return Duration.parse(t);
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      try {
        return parseDuration(text);
      } catch (RuntimeException e) {
        throw JsonMappingException.from(p, "'" + text + "' is not a duration (use 500ms, 10s, 5m, 24h or 7d)");
      }
    }
  }
}
