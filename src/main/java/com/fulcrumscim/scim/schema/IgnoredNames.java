package com.fulcrumscim.scim.schema;

import com.fulcrumscim.journal.LinesPerMinute;
import com.fulcrumscim.journal.LinesPerMinute.Verdict;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which unknown attribute names the log gets: each once while it is among the {@value #REMEMBERED}
 * names logged most recently, and at most {@value #PER_MINUTE} a minute. A client inventing names
 * can neither grow this nor silence it for good: a name pushed out is logged again when next sent
 * (a set that stopped at 1,000 names ever left a later IdP mapping mistake unlogged for the life of
 * the process), and a flood costs {@value #PER_MINUTE} lines a minute plus one saying so.
 */
final class IgnoredNames {
  static final int REMEMBERED = 1_000;
  static final int PER_MINUTE = 100;

  /** Lower-case names, least recently sent first. */
  private final Map<String, Boolean> remembered = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };
  private final LinesPerMinute share;

  IgnoredNames(Clock clock) {
    this.share = new LinesPerMinute(PER_MINUTE, clock);
  }

  /**
   * Whether to log {@code name} now; {@code LIMIT_REACHED} once in a minute whose share is spent.
   * A name not logged is not remembered: it is logged when sent again in a later minute.
   */
  synchronized Verdict admit(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    if (remembered.get(key) != null) {
      return Verdict.QUIET;
    }
    Verdict verdict = share.take();
    if (verdict == Verdict.LOG) {
      remembered.put(key, Boolean.TRUE);
    }
    return verdict;
  }
}
