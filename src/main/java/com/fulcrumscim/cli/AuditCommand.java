package com.fulcrumscim.cli;

import com.fulcrumscim.reconcile.AuditEntry;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.ops.CliArguments;
import com.fulcrumscim.ops.CliJson;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.TextTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "The Fulcrum writes the reconciler made, newest first.",
      "Each says when, which user or group, what, Fulcrum's id, and the result (ok, or why it failed). Kept in the "
          + "bridge's database (the SQLite file or PostgreSQL); safe while the daemon runs."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed (possibly nothing)", "1:no database at storage.path", "2:invalid config or command line"})
public final class AuditCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Option(names = "--since", paramLabel = "WHEN", converter = Since.class,
      description = "Only entries from WHEN on: an age (30m, 24h, 7d), a date (2026-03-01, UTC) or an instant (2026-03-01T12:00:00Z).")
  Instant since;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100", converter = CliArguments.Limit.class,
      description = "At most N entries, 1 or more (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "Print the entries as a JSON array (empty when there are none).")
  boolean json;

  /** One entry as {@code --json} prints it; the key as operators type it. */
  record Row(Instant at, String key, String action, String fulcrumId, String result, String detail) {}

  @Override
  public Integer call() {
    support.failuresAsJson(json);
    return support.readDatabase((config, db) -> {
      List<AuditEntry> entries = new AuditLog(db, Clock.systemUTC()).list(since, limit);
      if (json) {
        support.out().println(CliJson.write(entries.stream()
            .map(e -> new Row(e.at(), e.key().toString(), e.action(), e.fulcrumId(), e.result(), e.detail())).toList()));
        return ExitCode.OK;
      }
      if (entries.isEmpty()) {
        support.out().println(since == null ? "no Fulcrum writes recorded yet" : "no Fulcrum writes since " + since);
        return ExitCode.OK;
      }
      TextTable table = new TextTable("AT", "KEY", "ACTION", "FULCRUM ID", "RESULT", "DETAIL");
      entries.forEach(e -> table.row(e.at(), e.key(), e.action(), e.fulcrumId(), e.result(), e.detail()));
      table.print(support.out(), "");
      return ExitCode.OK;
    });
  }

  /** An age before now, a UTC date, or an instant. */
  static final class Since implements ITypeConverter<Instant> {
    private static final Pattern AGE = Pattern.compile("(\\d+)\\s*(m|h|d)");

    @Override
    public Instant convert(String value) {
      Matcher age = AGE.matcher(value.strip());
      if (age.matches()) {
        long n = Long.parseLong(age.group(1));
        Duration d = switch (age.group(2)) {
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
        return Clock.systemUTC().instant().minus(d);
      }
      try {
        return value.contains("T") ? Instant.parse(value) : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not an age (30m, 24h, 7d), a date (2026-03-01) "
            + "or an instant (2026-03-01T12:00:00Z)");
      }
    }
  }
}
