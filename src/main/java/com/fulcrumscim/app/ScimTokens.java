package com.fulcrumscim.app;

import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.journal.GeneratedTokenSetting;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
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
 * in the setting table ({@link GeneratedTokenSetting}), kept just before it is shown ({@link #claim})
 * and given up again when it could not be ({@link #unclaim}): a hash kept for a token nobody saw
 * would lock every later start out of generating one. It stays accepted beside the
 * configured ones until {@code token forget-generated} ({@link #forget}): Okta still presents it
 * between the reload that adds a configured token and the switch in Okta, and Okta does not retry
 * what is refused meanwhile (a deactivation lost there leaves that person's access in Fulcrum).
 */
public record ScimTokens(List<String> configured, Optional<String> generatedHash, Optional<String> generated) {
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
    Optional<String> kept = settings.get(GeneratedTokenSetting.HASH);
    if (hashes.isEmpty()) {
      if (kept.isPresent()) {
        settings.put(GeneratedTokenSetting.ACCEPTED, "true");
        return new ScimTokens(hashes, kept, Optional.empty());
      }
      String token = BearerTokens.generate(random);
      return new ScimTokens(hashes, Optional.of(BearerTokens.sha256Hex(token)), Optional.of(token));
    }
    if (kept.isPresent() && settings.get(GeneratedTokenSetting.ACCEPTED).isEmpty()) {
      log.info("the SCIM token serve generated earlier ({}) has not been accepted since tokens were configured; it is"
          + " forgotten, not accepted again", BearerTokens.prefix(kept.get()));
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
    Optional<String> kept = GeneratedTokenSetting.accepted(settings::get);
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
    if (settings.get(GeneratedTokenSetting.HASH).filter(configured::contains).isPresent()) {
      forget(settings);
    }
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
        + configured.stream().map(BearerTokens::prefix).collect(Collectors.joining(", "));
    String generatedOne = generatedHash.map(h -> "the token serve generated " + BearerTokens.prefix(h)).orElse("");
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

  /** The digest of the generated token accepted beside the configured ones; empty when none is kept. */
  public static Optional<String> kept(SettingStore settings) {
    return settings.get(GeneratedTokenSetting.HASH);
  }

  /** {@code token forget-generated}: running daemons stop accepting it at their next reload or restart. */
  public static void forget(SettingStore settings) {
    Map<String, Optional<String>> forgotten = new HashMap<>();
    GeneratedTokenSetting.KEYS.forEach(key -> forgotten.put(key, Optional.empty()));
    settings.write(forgotten);
  }

  /** {@code scim.token_hashes} and FULCRUM_SCIM_TOKEN's hash; empty when neither is set. */
  public static List<String> configured(List<String> configured, String envToken) {
    List<String> hashes = new ArrayList<>(configured);
    envTokenHash(envToken).ifPresent(hashes::add);
    return List.copyOf(hashes);
  }

  /** The hash serve accepts for {@code envToken}, a value of FULCRUM_SCIM_TOKEN; empty when it is unset or blank. */
  public static Optional<String> envTokenHash(String envToken) {
    return Optional.ofNullable(envToken).filter(t -> !t.isBlank()).map(t -> BearerTokens.sha256Hex(t.strip()));
  }

  /**
   * Just before {@code token} is shown: keeps its hash, so later starts accept it without showing
   * it again. Answers the digest kept: another one when a node sharing the database (PostgreSQL),
   * started at the same moment on a fresh one, kept the token it generated first (review-s8f F5).
   * The first kept is the one every node accepts; before, the last written was, and the node that
   * wrote first had shown a token no later start accepted.
   */
  static Optional<String> claim(SettingStore settings, String token) {
    return settings.putIfAbsent(GeneratedTokenSetting.HASH, BearerTokens.sha256Hex(token),
        Map.of(GeneratedTokenSetting.ACCEPTED, Optional.of("true")));
  }

  /** The claimed {@code token} could not be shown: the next start generates another (another node's claim stays). */
  static void unclaim(SettingStore settings, String token) {
    settings.removeIfStill(GeneratedTokenSetting.HASH, BearerTokens.sha256Hex(token), List.of(GeneratedTokenSetting.ACCEPTED));
  }
}
