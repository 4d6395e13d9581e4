package com.fulcrumscim.restore;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.GeneratedTokenSetting;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SCIM token {@code serve} generated, as the database a restore replaces holds it (review-s8f
 * F2). That database ran until the restore, so it holds the operator's latest word: a {@code token
 * forget-generated} after the backup (the token leaked, or Okta moved to a configured one) stays
 * done, where the backup brought the forgotten token back and serve accepted it again without a
 * word; a generated token it accepted stays accepted, since Okta may still present it. What that
 * changes from the backup is said in one line.
 */
public final class GeneratedTokenCarry {
  private static final String BACKUPS = "the SCIM token serve generated that the backup accepts (";
  /** How a carry that could not carry the token names it among what it could not carry. */
  static final String NOT_CARRIED = "its generated SCIM token";

  private GeneratedTokenCarry() {}

  /** Gives {@code restored} the settings {@code there} (read in the replaced database) holds; the line when that changes what is accepted. */
  static Optional<String> carry(Map<String, Optional<String>> there, Database restored) {
    SettingStore settings = new SettingStore(restored);
    Optional<String> backups = GeneratedTokenSetting.accepted(settings::get);
    Optional<String> replaceds = GeneratedTokenSetting.accepted(there::get);
    settings.write(there);
    if (backups.equals(replaceds)) {
      return Optional.empty();
    }
    return Optional.of(backups.map(hash -> BACKUPS + BearerTokens.prefix(hash) + ") is not accepted again: the replaced"
            + " database " + replaceds.map(other -> "accepted another one serve generated (" + BearerTokens.prefix(other)
                + "), which stays accepted").orElse("no longer accepted it (forgotten after the backup)"))
        .orElseGet(() -> "the SCIM token serve generated after the backup (" + BearerTokens.prefix(replaceds.get())
            + ") stays accepted, as the replaced database accepted it"));
  }

  /**
   * {@code db mark-restored} run again without a replaced database, before the service started:
   * the earlier run of the same restore left the token as it is, taken from the replaced database
   * it named unless {@code earlier} (what that run could not carry) says it read none or not the
   * token. Worded as {@link #unverified} then, that line named the carried token the backup's.
   */
  public static Optional<String> afterAnEarlierRun(Database restored, Optional<IncompleteCarry> earlier) {
    boolean notRead = earlier.map(IncompleteCarry::notCarried).orElse(List.of()).stream()
        .anyMatch(line -> line.startsWith(Carried.NOTHING) || line.startsWith(NOT_CARRIED));
    return notRead ? unverified(restored) : GeneratedTokenSetting.accepted(new SettingStore(restored)::get).map(hash ->
        "the SCIM token serve generated (" + BearerTokens.prefix(hash) + ") stays accepted, as the earlier run of this"
            + " restore left it");
  }

  /** No replaced database to ask: the backup's generated token stays accepted, and the line says what to do. */
  public static Optional<String> unverified(Database restored) {
    return GeneratedTokenSetting.accepted(new SettingStore(restored)::get).map(hash -> BACKUPS + BearerTokens.prefix(hash)
        + ") is accepted again: no replaced database tells whether `fulcrum-scim token forget-generated` dropped it after"
        + " the backup; if it did, run that again before you start the service");
  }
}
