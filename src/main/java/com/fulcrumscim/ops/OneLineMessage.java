package com.fulcrumscim.ops;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.journal.TerminalText;

/**
 * The text log's {@code %oneLineMsg}: the message with line breaks and control characters escaped
 * ({@link TerminalText#oneLine}), so every event is one line whatever a client put in its
 * arguments. A stack trace ({@code %ex}) still follows on lines of its own.
 */
public final class OneLineMessage extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return TerminalText.oneLine(event.getFormattedMessage());
  }
}
