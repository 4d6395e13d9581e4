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
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import org.quartz.CronExpression;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Reads config.yml over the built-in defaults, expands {@code ${NAME}} and {@code ${NAME:-fallback}}
 * from the environment, and validates. Every failure is a {@link ConfigException} naming the key.
 */
public final class ConfigLoader {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  /** Jackson's words for a key given twice: a key's name, never a value. */
  private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '([^']*)'");
  /** A URL's user info: what stands between "//" and "@" before the path. */
  private static final Pattern CREDENTIALS_IN_URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.:-]*://[^/?#]*@"); // jdbc:postgresql:// too
  private static final String EMULATOR_SEED = "fulcrum.emulator_seed";
  private static final String CERTIFICATE = "server.tls.certificate";
  private static final String PRIVATE_KEY = "server.tls.private_key";
  private static final String STORAGE_PATH = "storage.path";
  /** Base64 of a PEM ("-----BEGIN" encodes as "LS0tLS1") or of a DER key or certificate (a SEQUENCE: "MI"). */
  private static final Pattern KEY_MATERIAL = Pattern.compile("(LS0tLS1|MI)[A-Za-z0-9+/=\\s]{60,}");
  /** The longest name of one file (a path's part) that Linux file systems take. */
  private static final int NAME_MAX = 255;
  private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
  /** RFC 1123 labels, 253 characters at most, an optional final dot. */
  private static final Pattern HOST_NAME =
      Pattern.compile("(?=.{1,253}\\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  private final Function<String, String> environment;

  public ConfigLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  public static ConfigLoader fromSystemEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  public BridgeConfig load(Path file) {
    return load(file, key -> true);
  }

  /**
   * Loads for a command that reads only the keys {@code needed} accepts: a variable left unset in
   * any other key (the Fulcrum API token, for {@code status}) is no error; that key keeps its
   * default and is not validated.
   */
  public BridgeConfig load(Path file, Predicate<String> needed) {
    return loadPartly(file, needed).config();
  }

  /**
   * A config loaded for a command that reads only some keys. {@code unresolved}: the keys whose
   * variable is unset here and which hold their default instead, so a command that shows one (status
   * shows the target) can say it does not know the daemon's value rather than show the default.
   */
  public record Partial(BridgeConfig config, Set<String> unresolved) {}

  /** As {@link #load(Path, Predicate)}, telling which keys were left at their default. */
  public Partial loadPartly(Path file, Predicate<String> needed) {
    String source = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, "", "file not found");
    } catch (IOException e) {
      throw new ConfigException(source, "", "cannot read: " + FileProblem.of(e));
    }
    String text = utf8(source, bytes);
    Path dir = file.toAbsolutePath().getParent();
    return parse(source, text, needed, dir == null ? Path.of(".") : dir);
  }

  /**
   * {@code bytes} as UTF-8 text, or a config error naming the first byte that is not (counted from
   * 1, as cmp does): the JDK's own message is "Input length = 1".
   */
  private static String utf8(String source, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has fewer bytes than UTF-16 chars
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    if (decoder.decode(in, out, true).isError()) {
      throw new ConfigException(source, "", "is not UTF-8 text (byte " + (in.position() + 1) + ")");
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /** The defaults alone, as if config.yml were empty. */
  public BridgeConfig defaults() {
    return parse("defaults", "{}");
  }

  public BridgeConfig parse(String source, String yaml) {
    return parse(source, yaml, key -> true, Path.of(".")).config();
  }

  /** {@code configDir}: where relative file names in the config (fulcrum.api_token_file) are looked up. */
  private Partial parse(String source, String yaml, Predicate<String> needed, Path configDir) {
    ObjectMapper mapper = mapper();
    ObjectNode merged = defaultsTree(mapper);
    ObjectNode defaults = defaultsTree(mapper);
    JsonNode user;
    try {
      user = mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw notYaml(source, yaml, e);
    }
    refuseAliases(source, yaml);
    if (user != null && !user.isNull() && !user.isMissingNode()) {
      if (!user.isObject()) {
        throw new ConfigException(source, "", "must be a mapping of sections (server:, storage:, ...)");
      }
      merge(source, "", merged, (ObjectNode) user);
    }
    Set<String> unresolved = new HashSet<>();
    Map<String, String> expanded = new HashMap<>();
    new Expansion(source, needed, unresolved, expanded, defaults).expand("", merged);
    Set<String> leftAtDefault = Set.copyOf(unresolved);
    BridgeConfig config;
    try {
      config = mapper.treeToValue(merged, BridgeConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(source, keyOf(e), "unknown key (known: " + e.getKnownPropertyIds().stream()
          .map(Object::toString).map(ConfigLoader::snake).sorted().collect(Collectors.joining(", ")) + ")");
    } catch (MismatchedInputException e) {
      throw new ConfigException(source, keyOf(e), expandedFrom(expanded, keyOf(e)) + needs(e.getTargetType()));
    } catch (JsonMappingException e) {
      String key = keyOf(e);
      // a value a variable gave may be a secret put there by mistake: the message's quoted text goes
      String why = expanded.containsKey(key) ? e.getOriginalMessage().replaceAll("'[^']*'|\"[^\"]*\"", "its value")
          : e.getOriginalMessage();
      throw new ConfigException(source, key, expandedFrom(expanded, key) + "invalid value: " + why);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, "", e.getOriginalMessage());
    }
    refuseEmptyItems(source, "", merged);
    if (needed.test(ApiTokenFile.KEY)) {
      config = ApiTokenFile.read(source, config, configDir, environment, expanded.get(ApiTokenFile.KEY));
    } else {
      // a command that reads only storage.* need not be able to read the token file either, so
      // the token it would hold is not checked
      unresolved.add(ApiTokenFile.KEY);
    }
    if (!needed.test(EMULATOR_SEED)) {
      unresolved.add(EMULATOR_SEED);
    }
    new Validation(source, unresolved, expanded).validate(config);
    BridgeConfig.Tls tls = config.server().tls();
    config = config.withTls(new BridgeConfig.Tls(tls.certificate(), tls.privateKey(), expanded.get(CERTIFICATE),
        expanded.get(PRIVATE_KEY)));
    BridgeConfig.Storage storage = config.storage();
    config = config.withStorage(new BridgeConfig.Storage(storage.path(), storage.url(), storage.username(),
        storage.password(), expanded.get(STORAGE_PATH)));
    return new Partial(config, leftAtDefault);
  }

  /**
   * One line: where and what, never the text there. SnakeYAML's own message quotes the offending
   * line over several lines, and that line may be a password's (a value starting with @ or `).
   */
  private static ConfigException notYaml(String source, String yaml, JsonProcessingException e) {
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
    String problem = "";
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
      // the problem's own place; Jackson's location is the token before it
      line = marked.getProblemMark().getLine() + 1;
      column = marked.getProblemMark().getColumn() + 1;
      problem = yamlProblem(marked.getProblem(), marked.getContext());
    } else if (e.getOriginalMessage() != null && DUPLICATE_KEY.matcher(e.getOriginalMessage()).matches()) {
      Matcher duplicate = DUPLICATE_KEY.matcher(e.getOriginalMessage());
      duplicate.matches();
      problem = "the key '" + duplicate.group(1) + "' appears twice in one mapping; keep one";
    } else if (e.getCause() instanceof ReaderException unreadable) {
      String before = yaml.substring(0, Math.min(Math.max(unreadable.getPosition(), 0), yaml.length()));
      line = (int) before.chars().filter(c -> c == '\n').count() + 1;
      column = before.length() - before.lastIndexOf('\n');
      problem = "a control character YAML does not allow";
    }
    String where = source + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "");
    return new ConfigException(where, "", "not valid YAML" + (problem.isEmpty() ? "" : ": " + problem));
  }

  /**
   * Jackson reads an alias ({@code *name}) as the text "name", defined or not, so a value written
   * once and referred to, or a stray {@code *}, would be taken as that word: refused, naming the place.
   */
  private static void refuseAliases(String source, String yaml) {
    Set<String> anchors = new HashSet<>();
    // SnakeYAML's events: Jackson's parser tells an alias but not the anchors a scalar defines
    for (Event event : new Yaml().parse(new StringReader(yaml))) {
      if (event instanceof AliasEvent alias) {
        String where = source + ":" + (alias.getStartMark().getLine() + 1) + ":" + (alias.getStartMark().getColumn() + 1);
        throw new ConfigException(where, "", anchors.contains(alias.getAnchor()) ? "alias *" + alias.getAnchor()
            + ": the config takes no YAML aliases; write the value out" : "undefined alias *" + alias.getAnchor());
      }
      if (event instanceof NodeEvent node && node.getAnchor() != null) {
        anchors.add(node.getAnchor());
      }
    }
  }

  /**
   * SnakeYAML's problem up to where it shows what it found: from "found" on it quotes characters
   * of the file. The context ("while scanning a double-quoted scalar") is SnakeYAML's own words.
   */
  private static String yamlProblem(String problem, String context) {
    String first = problem == null ? "" : problem.lines().findFirst().orElse("").strip();
    if (first.contains("(TAB)")) {
      return "a tab, which YAML does not allow for indentation (use spaces)";
    }
    if (first.contains("cannot start any token")) {
      return "a value starts with a character YAML reserves (such as @ ` % ! & * | >): put the value in quotes";
    }
    int found = first.indexOf("found");
    String kept = (found < 0 ? first : first.substring(0, found)).replaceFirst("[,\\s]*(but)?\\s*$", "");
    if (!kept.isEmpty()) {
      return kept;
    }
    return "unexpected characters" + (context == null || context.isBlank() ? "" : " " + context.lines().findFirst().orElse("").strip());
  }

  private static ObjectMapper mapper() {
    SimpleModule durations = new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer());
    // A key given twice in one mapping (two fulcrum: sections) is refused: the last one silently won
    return new ObjectMapper(new YAMLFactory())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
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
          throw new ConfigException(source, key, "must be a section of keys, not " + (value.isArray() ? "a list" : "a single value"));
        }
        merge(source, key + ".", (ObjectNode) existing, (ObjectNode) value);
      } else {
        base.set(field.getKey(), value.isNull() && existing != null ? existing : value);
      }
    }
  }

  /**
   * A list item or map value left empty ({@code ~}, or nothing after "- " or "key:") is the one null
   * the merge leaves (an empty setting takes its default): every consumer of a list or map would
   * meet it as a null, so it is refused here, for every list and map at once.
   */
  private static void refuseEmptyItems(String source, String prefix, JsonNode node) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      refuseEmpty(source, prefix + field.getKey(), field.getValue());
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        refuseEmpty(source, prefix + i, node.get(i));
      }
    }
  }

  private static void refuseEmpty(String source, String key, JsonNode value) {
    if (value.isNull()) {
      throw new ConfigException(source, key, "is empty: give it a value or remove it");
    }
    refuseEmptyItems(source, key + ".", value);
  }

  /**
   * What {@code key}'s value was expanded from, if it was ("${FULCRUM_SCIM_PORT} (its value not
   * shown): "): the file shows only the variable, and the unit's environment file holds the mistake
   * (review-s12b F6). Never the value: a variable holding a secret, given to the wrong key by mistake
   * (`token_hashes: ${FULCRUM_SCIM_TOKEN}`, `port: ${PGPASSWORD}`), would be printed to the journal
   * (review-s12d F2, s12e F1); the operator reads the variable where it is set.
   */
  private static String expandedFrom(Map<String, String> expanded, String key) {
    String from = expanded.get(key);
    return from == null ? "" : from + " (its value not shown): ";
  }

  /**
   * Substitutes variables, recording each key's text and value in {@code expanded}; a key whose unset variable the command does not need is recorded and
   * takes its default: an empty text bound to a number or a duration was a config error, and
   * status, audit and backup run from a shell that lacks the unit's environment.
   */
  private final class Expansion {
    private final String source;
    private final Predicate<String> needed;
    private final Set<String> unresolved;
    private final Map<String, String> expanded;
    private final JsonNode defaults;

    Expansion(String source, Predicate<String> needed, Set<String> unresolved, Map<String, String> expanded,
        JsonNode defaults) {
      this.source = source;
      this.needed = needed;
      this.unresolved = unresolved;
      this.expanded = expanded;
      this.defaults = defaults;
    }

    void expand(String prefix, JsonNode node) {
      if (node.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          String key = prefix + field.getKey();
          if (field.getValue().isTextual()) {
            String value = substitute(key, field.getValue().asText());
            field.setValue(unresolved.contains(key) ? defaultOf(key) : TextNode.valueOf(value));
          } else {
            expand(key + ".", field.getValue());
          }
        }
      } else if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          if (node.get(i).isTextual()) {
            ((ArrayNode) node).set(i, TextNode.valueOf(substitute(prefix + i, node.get(i).asText())));
          }
        }
      }
    }

    /** The built-in default of {@code key}; an empty text for a list item or map value, which have none. */
    private JsonNode defaultOf(String key) {
      JsonNode node = defaults;
      for (String part : key.split("\\.")) {
        node = node.path(part);
      }
      return node.isValueNode() ? node.deepCopy() : TextNode.valueOf("");
    }

    private String substitute(String key, String value) {
      Matcher m = VARIABLE.matcher(value);
      StringBuilder out = new StringBuilder();
      boolean any = false;
      while (m.find()) {
        any = true;
        String found = environment.apply(m.group(1));
        if (found == null) {
          if (m.group(2) != null) {
            found = m.group(2);
          } else if (needed.test(key)) {
            throw new ConfigException(source, key,
                "environment variable " + m.group(1) + " is not set (write ${" + m.group(1) + ":-} to allow empty)");
          } else {
            unresolved.add(key);
            found = "";
          }
        }
        m.appendReplacement(out, Matcher.quoteReplacement(found));
      }
      m.appendTail(out);
      if (any && !unresolved.contains(key)) {
        expanded.put(key, value);
      }
      return out.toString();
    }
  }

  /**
   * The checks on the loaded config; a key left unresolved for a command that does not read it is
   * skipped. A key a variable gave names the variable, never its value ({@link #expandedFrom}):
   * `base_url: ${FULCRUM_API_TOKEN}` swapped by mistake, or a libpq URL with its password in
   * `url: ${DATABASE_URL}`, would print a secret (review-s13a F-D).
   */
  private record Validation(String source, Set<String> unresolved, Map<String, String> expanded) {
    private void validate(BridgeConfig c) {
      check("server.host", !c.server().host().isBlank(), "must not be empty");
      check("server.host", isHost(c.server().host()), "must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::) or a host "
          + "name, without a port (that is server.port)" + got("server.host", c.server().host()));
      checkPort("server.port", c.server().port(), false);
      checkPort("server.ops_port", c.server().opsPort(), true);
      check("server.max_body_bytes", c.server().maxBodyBytes() >= 1024, "must be at least 1024");
      check("server.public_url", c.server().publicUrl().isBlank()
          || c.server().publicUrl().matches("https?://[^\\s/?#]+(/[^\\s?#]*)?"),
          "must be empty or an http(s) URL such as https://scim.example.com/scim/v2 (no query)");
      checkPositive("server.body_read_timeout", c.server().bodyReadTimeout());
      check("server.max_concurrent_bodies", c.server().maxConcurrentBodies() >= 1, "must be at least 1");
      check("server.tls", c.server().tls().certificate().isBlank() == c.server().tls().privateKey().isBlank(),
          "certificate and private_key go together: set both or neither");
      // a PEM's text given for its file name (a variable holding the key itself) would be printed as the
      // name of a file not found, the private key with it (review-s13d 1)
      String pem = "must name a PEM file, not hold its text (keep the key in a file the service's user may read)";
      checkFileName(CERTIFICATE, c.server().tls().certificate(), pem);
      checkFileName(PRIVATE_KEY, c.server().tls().privateKey(), pem);
      check("storage.path", c.storage().postgres() || !c.storage().path().toString().isBlank(), "must name the SQLite file");
      if (!c.storage().postgres()) {
        checkFileName("storage.path", c.storage().path().toString(), "must name the SQLite file, not hold text");
      }
      // first, and without the value, as fulcrum.base_url's below
      check("storage.url", !c.storage().postgres() || !CREDENTIALS_IN_URL.matcher(c.storage().url()).find(),
          "must not hold a user name or password (give them in storage.username and storage.password)");
      check("storage.url", !c.storage().postgres() || BridgeConfig.Storage.isPostgresUrl(c.storage().url()),
          "must be empty (SQLite at storage.path) or jdbc:postgresql://HOST[:PORT]/DATABASE"
              + got("storage.url", BridgeConfig.Storage.withoutQuery(c.storage().url())));
      for (int i = 0; i < c.scim().tokenHashes().size(); i++) {
        check("scim.token_hashes." + i, SHA256_HEX.matcher(c.scim().tokenHashes().get(i)).matches(),
            "must be a SHA-256 hex digest (64 lower-case hex digits); `fulcrum-scim token new` prints one");
      }
      check("scim.max_page_size", c.scim().maxPageSize() >= 1, "must be at least 1");
      check("scim.auth_failures_per_minute", c.scim().authFailuresPerMinute() >= 1, "must be at least 1");
      BridgeConfig.Fulcrum f = c.fulcrum();
      if (!f.embedded()) {
        // First, and without the value: a password in the URL would reach this message, the log
        // lines that name the target, and the database (which Fulcrum its links point into)
        check("fulcrum.base_url", !CREDENTIALS_IN_URL.matcher(f.baseUrl()).find(), "must not hold a user name or password "
            + "(Fulcrum takes its API token in fulcrum.api_token or fulcrum.api_token_file)");
        check("fulcrum.base_url", isHttpUrl(f.baseUrl()), "must be 'embedded' or an http(s) URL" + got("fulcrum.base_url", f.baseUrl()));
        check("fulcrum.base_url", !isHttpUrl(f.baseUrl()) || !"http".equals(URI.create(f.baseUrl()).getScheme())
                || isLoopback(URI.create(f.baseUrl()).getHost()),
            "must be https: the API token would cross the network in clear (plain http is taken only to a loopback "
                + "address such as 127.0.0.1, e.g. `fulcrum-scim emulator`)" + got("fulcrum.base_url", f.baseUrl()));
        String unsendable = notSendable(f.baseUrl());
        check("fulcrum.base_url", unsendable == null, "not a URL the HTTP client takes (" + unsendable + ")");
        String tokenKey = f.apiTokenFile().isBlank() ? "fulcrum.api_token" : ApiTokenFile.KEY;
        check(tokenKey, !f.apiToken().isBlank(), f.apiTokenFile().isBlank()
            ? "is required when fulcrum.base_url is a real Fulcrum URL" : "the file is empty; put the Fulcrum API token in it");
        int at = BridgeConfig.Fulcrum.unsendableAt(f.apiToken());
        check(tokenKey, at < 0, "the token holds a character an HTTP header cannot carry (position " + at + ")"
            + (f.apiTokenFile().isBlank() ? "" : "; the file holds the token alone: no \"Bearer \", no byte-order mark, one line"));
      } else if (!f.emulatorSeed().isBlank()) {
        String unreadable = unreadable(Path.of(f.emulatorSeed()));
        check(EMULATOR_SEED, unreadable == null, "cannot read "
            + (expanded.containsKey(EMULATOR_SEED) ? "the file it names" : f.emulatorSeed()) + ": " + unreadable);
      }
      check("fulcrum.calls_per_hour", f.callsPerHour() >= 1, "must be at least 1");
      checkPositive("fulcrum.connect_timeout", f.connectTimeout());
      checkPositive("fulcrum.read_timeout", f.readTimeout());
      checkPositive("reconcile.interval", c.reconcile().interval());
      checkPositive("reconcile.retry_budget", c.reconcile().retryBudget());
      check("reconcile.parallelism", c.reconcile().parallelism() >= 1 && c.reconcile().parallelism() <= 64, "must be 1 to 64");
      check("reconcile.batch_size", c.reconcile().batchSize() >= 1, "must be at least 1");
      checkRoleMap(c.roles().map());
      checkOwnerNotNamed(c.roles());
      check("guard.mass_removal_percent", c.guard().massRemovalPercent() >= 1 && c.guard().massRemovalPercent() <= 100, "must be 1 to 100");
      check("guard.mass_removal_minimum", c.guard().massRemovalMinimum() >= 0, "must not be negative");
      checkPositive("guard.window", c.guard().window());
      check("logging.format", c.logging().format().equals("text") || c.logging().format().equals("json"), "must be text or json");
      check("logging.level", c.logging().level().matches("(?i)TRACE|DEBUG|INFO|WARN|ERROR"), "must be TRACE, DEBUG, INFO, WARN or ERROR");
      check("retention.journal", !c.retention().journal().isNegative(), "must not be negative (0 keeps rows forever)");
      check("retention.audit", !c.retention().audit().isNegative(), "must not be negative (0 keeps rows forever)");
      // the mass-removal guard counts the removals of the trailing window in the audit: pruned rows would let more through
      check("retention.audit", unresolved.contains("guard.window") || c.retention().audit().isZero()
          || c.retention().audit().compareTo(c.guard().window()) >= 0,
          "must be 0 (keep forever) or at least guard.window (" + DurationText.of(c.guard().window()) + "): the mass-removal guard "
              + "counts the removals within guard.window from the audit rows, got " + DurationText.of(c.retention().audit()));
      Duration ttl = c.ha().leaseTtl();
      check("ha.lease_ttl", ttl.compareTo(Duration.ofSeconds(3)) >= 0 && ttl.compareTo(Duration.ofMinutes(2)) <= 0,
          "must be 3s to 2m (a shorter lease fails over on a slow database; a longer one leaves Fulcrum unwritten longer), got "
              + ttl.toMillis() + " ms");
      String schedule = c.resync().schedule();
      check("resync.schedule", schedule.isBlank() || CronExpression.isValidExpression(schedule),
          "not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week)"
              + got("resync.schedule", schedule));
      check("resync.schedule", schedule.isBlank() || firesAgain(schedule),
          "never fires again (no time from now on matches " + shown("resync.schedule", schedule)
              + "); leave it empty to turn the resync off");
    }

    /**
     * The reconciler looks Okta's role names up ignoring case, in a table built from this map:
     * an empty value or two keys differing only in case made every user's reconcile fail.
     */
    private void checkRoleMap(Map<String, String> map) {
      Map<String, String> seen = new HashMap<>();
      for (Map.Entry<String, String> e : map.entrySet()) {
        String key = "roles.map." + e.getKey();
        check(key, !e.getValue().isBlank(),
            "must name the Fulcrum role that Okta's role '" + e.getKey() + "' becomes");
        String earlier = seen.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getKey());
        check(key, earlier == null,
            "the same Okta role as roles.map." + earlier + " (role names match ignoring case); keep one of them");
      }
    }

    /**
     * The reconciler refuses every way to a role named Owner while roles.allow_owner is false
     * (RoleTable): a default or a map entry naming it would make each user it applies to DEAD at
     * run time, which this config alone already says.
     */
    private void checkOwnerNotNamed(BridgeConfig.Roles roles) {
      if (roles.allowOwner()) {
        return;
      }
      String problem = " is the Owner role, which the bridge does not grant while roles.allow_owner is false: "
          + "name another role, or set roles.allow_owner: true";
      roles.map().forEach((okta, fulcrum) ->
          check("roles.map." + okta, !BridgeConfig.Roles.namesOwner(fulcrum), shown("roles.map." + okta, fulcrum) + problem));
      check("roles.default", !BridgeConfig.Roles.namesOwner(roles.defaultRole()),
          shown("roles.default", roles.defaultRole()) + problem);
    }

    /** Quartz refuses to schedule a cron with no next fire time ("0 0 3 * * ? 2020"). */
    private static boolean firesAgain(String schedule) {
      try {
        return new CronExpression(schedule).getNextValidTimeAfter(new Date()) != null;
      } catch (ParseException e) {
        return false;
      }
    }

    private void checkPort(String key, int port, boolean zeroAllowed) {
      check(key, (zeroAllowed && port == 0) || (port >= 1 && port <= 65535),
          zeroAllowed ? "must be 0 (same as server.port) or 1 to 65535" : "must be 1 to 65535");
    }

    /**
     * A PEM's text, or a key or certificate base64'd onto one line (a variable set from `base64 -w0`:
     * "LS0tLS1CRUdJTi..." is "-----BEGIN" so encoded, "MII..." a DER's), is no file's name; nor is a name
     * with a part longer than a file system takes. Printed as the name of a file not found, the key
     * went to the journal (review-s13e F3).
     */
    private void checkFileName(String key, String name, String problem) {
      boolean text = name.contains("\n") || name.contains("-----BEGIN") || KEY_MATERIAL.matcher(name).matches()
          || Arrays.stream(name.split("/")).anyMatch(part -> part.length() > NAME_MAX);
      check(key, !text, problem);
      // No shell reads config.yml: "~/x" (or "~user/x") would name a directory called "~" ("~user") under the
      // working directory, which a service's working directory makes a fresh empty database or a file not found
      check(key, !name.startsWith("~"),
          "~ is not expanded here (no shell reads config.yml): write the full path, or ${HOME}/..." + got(key, name));
    }

    private void checkPositive(String key, Duration d) {
      check(key, !d.isNegative() && !d.isZero(), "must be longer than zero");
    }

    private void check(String key, boolean ok, String problem) {
      if (!ok && !unresolved.contains(key)) {
        throw new ConfigException(source, key, expandedFrom(expanded, key) + problem);
      }
    }

    /** ", got '<value>'" for a value written in the file; nothing for one a variable gave (the line names the variable). */
    private String got(String key, String value) {
      return expanded.containsKey(key) ? "" : ", got '" + value + "'";
    }

    /** {@code value} quoted as written in the file; "its value" for one a variable gave. */
    private String shown(String key, String value) {
      return expanded.containsKey(key) ? "its value" : "'" + value + "'";
    }
  }

  /**
   * An IP literal or a host name's syntax: nothing is resolved here, as check may run on another
   * host than serve, and a name may resolve only once the network is up; serve's bind says the rest.
   */
  private static boolean isHost(String host) {
    if (IPV4.matcher(host).matches()) {
      return true;
    }
    if (host.contains(":")) {
      String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      if (!IPV6_CHARACTERS.matcher(literal).matches()) {
        return false;
      }
      try {
        // with a colon in it, the JDK parses the text as an IPv6 literal and never asks DNS
        InetAddress.getByName(literal);
        return true;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    // an all-digit last label is an IPv4 address the pattern refused (10.255.255, 999.1.1.1), not a name
    return HOST_NAME.matcher(host).matches() && !host.replaceFirst("\\.$", "").matches(".*(^|\\.)\\d+");
  }

  /** Names that stay on this machine without asking DNS (RFC 6761 keeps localhost and *.localhost there). */
  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT).replaceFirst("\\.$", "");
    return h.equals("localhost") || h.endsWith(".localhost") || h.equals("[::1]")
        || (IPV4.matcher(h).matches() && h.startsWith("127."));
  }

  /** Why OkHttp, which serve and check call Fulcrum with, refuses {@code url}; null when it takes it. */
  private static String notSendable(String url) {
    try {
      HttpUrl.get(url);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage(); // such as: Invalid URL port: "99999" (java.net.URI takes that port)
    }
  }

  /** Why {@code file} cannot be read as serve will read it (relative to the working directory); null when it can. */
  private static String unreadable(Path file) {
    if (Files.isDirectory(file)) {
      return "a directory, not a file";
    }
    try (InputStream in = Files.newInputStream(file)) {
      return null;
    } catch (IOException e) {
      return FileProblem.of(e);
    }
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI u = URI.create(s);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** What a value of {@code type} must be, in an operator's words, not Jackson's ("Cannot deserialize value of type `int`"). */
  private static String needs(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "must be a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "must be true or false";
    }
    if (type != null && Collection.class.isAssignableFrom(type)) {
      return "must be a list, e.g. [\"first\", \"second\"]";
    }
    if (type != null && Map.class.isAssignableFrom(type)) {
      return "must be a section of keys (key: value lines indented below it)";
    }
    if (type == Path.class) {
      return "must be a file path";
    }
    return "must be a single value (text)";
  }

  private static String keyOf(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? snake(r.getFieldName()) : String.valueOf(r.getIndex()))
        .collect(Collectors.joining("."));
  }

  private static String snake(String name) {
    return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(name);
  }

  /** "250ms", "10s", "5m", "24h", "7d", ISO-8601 ("PT10S"), or a bare 0 (no unit needed for none). */
  static Duration parseDuration(String text) {
    String t = text.strip();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
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
