package com.fulcrumscim.app;

import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SHA-256 digests the SCIM endpoint accepts: {@code scim.token_hashes}, plus the plain token
 * in {@code FULCRUM_SCIM_TOKEN} ({@code configured}), plus the token {@code serve} generated when
 * neither was set ({@code generatedHash}). A generated token is shown once; only its hash is kept
 * in the setting table, and only once it has been shown ({@link #keep}): a hash kept for a token
 * nobody saw would lock every later start out of generating one. It stays accepted beside the
 * configured ones until {@code token forget-generated} ({@link #forget}): Okta still presents it
 * between the reload that adds a configured token and the switch in Okta, and Okta does not retry
 * what is refused meanwhile (a deactivation lost there leaves that person's access in Fulcrum).
 */
public record ScimTokens(List<String> configured, Optional<String> generatedHash, Optional<String> generated) {
  private static final String GENERATED_HASH_SETTING = "scim.generated_token_hash";
  /**
   * Set while the generated token is accepted (a start on it alone, or its keep): only a token
   * accepted up to now stays accepted beside configured ones. A release before 8 December 2026
   * stopped accepting it once tokens were configured but kept its hash; brought back, that long
   * unused token would have been a way in nobody watched.
   */
  private static final String ACCEPTED_SETTING = "scim.generated_token_accepted";
  private static final Logger log = LoggerFactory.getLogger(ScimTokens.class);
  /** What a FULCRUM_SCIM_TOKEN needs at least; {@code token new} makes 43 characters of 64 kinds (256 random bits). */
  static final int MIN_LENGTH = 32;
  static final int MIN_DIFFERENT_CHARACTERS = 8;

  /**
   * Refuses a FULCRUM_SCIM_TOKEN that is short or plainly repetitive ("changeme" four times), at
   * start, before anything is opened. A token is kept and compared only as an unsalted SHA-256
   * digest (scim.token_hashes, {@link BearerTokens}): sound for a random token of 128 bits or more,
   * which neither a precomputed table nor a search of the digest can reach, so there is nothing to
   * salt or stretch. A weak token would be guessed online (the throttle allows 30 tries a minute
   * per address) or from a leaked config's digest in moments: refused rather than hashed harder.
   * A digest in scim.token_hashes cannot be checked; {@code token new} makes those.
   */
  static void requireStrong(String envToken) {
    if (envToken == null || envToken.isBlank()) {
      return;
    }
    String token = envToken.strip();
    long different = token.codePoints().distinct().count();
    String problem = token.length() < MIN_LENGTH
        ? "is " + token.length() + " characters long; a SCIM token needs at least " + MIN_LENGTH
        : different < MIN_DIFFERENT_CHARACTERS ? "has only " + different + " different characters, too easy to guess" : null;
    if (problem != null) {
      throw new ConfigException("environment (under systemd: /etc/fulcrum-scim/env)", Bridge.SCIM_TOKEN_ENV, problem
          + ". `fulcrum-scim token new` makes a random one (or put its hash in scim.token_hashes instead)");
    }
  }

  /** At start: what is configured and the generated token kept earlier; with neither, a new one (not kept yet). */
  static ScimTokens resolve(List<String> configured, String envToken, SettingStore settings, SecureRandom random) {
    List<String> hashes = configured(configured, envToken);
    forgetIfListed(hashes, settings);
    Optional<String> kept = settings.get(GENERATED_HASH_SETTING);
    if (hashes.isEmpty()) {
      if (kept.isPresent()) {
        settings.put(ACCEPTED_SETTING, "true");
        return new ScimTokens(hashes, kept, Optional.empty());
      }
      String token = BearerTokens.generate(random);
      return new ScimTokens(hashes, Optional.of(BearerTokens.sha256Hex(token)), Optional.of(token));
    }
    if (kept.isPresent() && settings.get(ACCEPTED_SETTING).isEmpty()) {
      log.info("the SCIM token serve generated earlier ({}) has not been accepted since tokens were configured; it is"
          + " forgotten, not accepted again", prefix(kept.get()));
      forget(settings);
      kept = Optional.empty();
    }
    return new ScimTokens(hashes, kept, Optional.empty());
  }

  /**
   * At a reload: {@code configured} and the generated token while it is kept. Never a new token
   * (shown to no one): with nothing configured and nothing kept, refused, and the tokens in use stay.
   */
  static ScimTokens reloaded(List<String> configured, SettingStore settings) {
    forgetIfListed(configured, settings);
    Optional<String> kept = keptAccepted(settings);
    if (configured.isEmpty() && kept.isEmpty()) {
      throw new IllegalStateException("scim.token_hashes is empty, " + Bridge.SCIM_TOKEN_ENV + " was not set when serve "
          + "started (the environment is read only then), and no generated token is kept: no SCIM token would be"
          + " accepted, so the tokens in use stay");
    }
    return new ScimTokens(configured, kept, Optional.empty());
  }

  /**
   * The generated token listed in scim.token_hashes is a configured one from then on (review-s8f
   * F3): kept as well, it stayed accepted once the operator took it out of the list again.
   */
  private static void forgetIfListed(List<String> configured, SettingStore settings) {
    if (settings.get(GENERATED_HASH_SETTING).filter(configured::contains).isPresent()) {
      forget(settings);
    }
  }

  /** The kept generated token's digest while it is accepted. */
  private static Optional<String> keptAccepted(SettingStore settings) {
    return settings.get(GENERATED_HASH_SETTING).filter(hash -> settings.get(ACCEPTED_SETTING).isPresent());
  }

  /** Every digest accepted: the configured ones, then the generated one. */
  List<String> hashes() {
    List<String> all = new ArrayList<>(configured);
    generatedHash.ifPresent(all::add);
    return List.copyOf(all);
  }

  /** Which tokens are accepted, by the first characters of their digests (never the token), for the log. */
  String accepted() {
    String mine = configured.isEmpty() ? "" : "scim.token_hashes/" + Bridge.SCIM_TOKEN_ENV + " "
        + configured.stream().map(ScimTokens::prefix).collect(Collectors.joining(", "));
    String generatedOne = generatedHash.map(h -> "the token serve generated " + prefix(h)).orElse("");
    return mine.isEmpty() || generatedOne.isEmpty() ? mine + generatedOne : mine + " and " + generatedOne;
  }

  /**
   * While the generated token is accepted: what to do to stop accepting it, for a line at each start
   * and reload. Empty once only configured tokens are.
   */
  Optional<String> generatedWarning() {
    if (generatedHash.isEmpty()) {
      return Optional.empty();
    }
    String stop = "`fulcrum-scim token forget-generated`, then `systemctl reload fulcrum-scim` (or a restart)";
    return Optional.of("SCIM tokens accepted: " + accepted() + "; " + (configured.isEmpty()
        ? "to move to a token of your own: `fulcrum-scim token new`, add its hash to scim.token_hashes, `systemctl reload"
            + " fulcrum-scim`, switch Okta to it, then " + stop
        : "the generated token stays accepted until " + stop + ": run that once Okta presents a configured token"));
  }

  /** The first 8 hex digits of a digest: enough to tell tokens apart in a log, nothing to guess one by. */
  public static String prefix(String hash) {
    return hash.substring(0, Math.min(8, hash.length())) + "...";
  }

  /** The digest of the generated token accepted beside the configured ones; empty when none is kept. */
  public static Optional<String> kept(SettingStore settings) {
    return settings.get(GENERATED_HASH_SETTING);
  }

  /** {@code token forget-generated}: running daemons stop accepting it at their next reload or restart. */
  public static void forget(SettingStore settings) {
    settings.write(Map.of(GENERATED_HASH_SETTING, Optional.empty(), ACCEPTED_SETTING, Optional.empty()));
  }

  /** {@code scim.token_hashes} and FULCRUM_SCIM_TOKEN's hash; empty when neither is set. */
  public static List<String> configured(List<String> configured, String envToken) {
    List<String> hashes = new ArrayList<>(configured);
    if (envToken != null && !envToken.isBlank()) {
      hashes.add(BearerTokens.sha256Hex(envToken.strip()));
    }
    return List.copyOf(hashes);
  }

  /** Once {@code token} has been shown: later starts accept it without showing it again. */
  static void keep(SettingStore settings, String token) {
    settings.write(Map.of(GENERATED_HASH_SETTING, Optional.of(BearerTokens.sha256Hex(token)),
        ACCEPTED_SETTING, Optional.of("true")));
  }
}
