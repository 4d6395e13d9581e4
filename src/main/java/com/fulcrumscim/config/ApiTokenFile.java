package com.fulcrumscim.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * {@code fulcrum.api_token_file}: the Fulcrum API token kept in a file of its own, so config.yml
 * holds no secret. A relative name is looked up in systemd's {@code $CREDENTIALS_DIRECTORY} (the
 * unit's {@code LoadCredential=}) and otherwise next to config.yml, so the daemon and an operator's
 * shell on the same host read the same token.
 */
final class ApiTokenFile {
  static final String KEY = "fulcrum.api_token_file";
  static final String CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";

  private ApiTokenFile() {}

  /**
   * {@code from}: the variable that gave the file's name ("${FULCRUM_API_TOKEN_FILE}"), null when the
   * config wrote it: then the name is not shown, as the token's own variable given here by mistake
   * would be.
   */
  static BridgeConfig read(String source, BridgeConfig config, Path configDir, Function<String, String> environment,
      String from) {
    BridgeConfig.Fulcrum f = config.fulcrum();
    if (f.apiTokenFile().isBlank()) {
      return config;
    }
    if (!f.apiToken().isBlank()) {
      throw new ConfigException(source, KEY, "set fulcrum.api_token or fulcrum.api_token_file, not both");
    }
    Path file = locate(Path.of(f.apiTokenFile()), configDir, environment.apply(CREDENTIALS_DIRECTORY));
    String named = from == null ? file.toString() : "the file " + from + " names (its value not shown)";
    try {
      return config.withFulcrum(f.withApiToken(Files.readString(file, StandardCharsets.UTF_8).strip()));
    } catch (NoSuchFileException e) {
      if (f.embedded()) {
        return config; // the emulator needs no token: a fresh install or container runs before one is provided
      }
      throw new ConfigException(source, KEY, "cannot read " + named + ": file not found");
    } catch (AccessDeniedException e) {
      throw new ConfigException(source, KEY, "cannot read " + named + ": permission denied (under systemd the unit's "
          + "LoadCredential= hands it over in $" + CREDENTIALS_DIRECTORY + "; elsewhere run as its owner)");
    } catch (IOException e) {
      throw new ConfigException(source, KEY, "cannot read " + named + ": " + FileProblem.of(e));
    }
  }

  private static Path locate(Path name, Path configDir, String credentialsDirectory) {
    if (name.isAbsolute()) {
      return name;
    }
    if (credentialsDirectory != null && !credentialsDirectory.isBlank()) {
      Path credential = Path.of(credentialsDirectory).resolve(name);
      if (Files.exists(credential)) {
        return credential;
      }
    }
    return configDir.resolve(name);
  }
}
