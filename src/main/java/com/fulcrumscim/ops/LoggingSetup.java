package com.fulcrumscim.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import com.fulcrumscim.config.BridgeConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.level} and {@code logging.format} over logback.xml once the config is
 * known, and puts {@link SecretRedactor} in front of every root appender's output.
 */
public final class LoggingSetup {
  private LoggingSetup() {}

  public static void apply(BridgeConfig.Logging logging) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      apply(context, logging);
    }
  }

  static void apply(LoggerContext context, BridgeConfig.Logging logging) {
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(logging.level(), Level.INFO));
    if ("json".equals(logging.format())) {
      JsonEncoder encoder = jsonEncoder(context);
      ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
      json.setContext(context);
      json.setName("JSON");
      json.setTarget("System.err");
      json.setEncoder(encoder);
      json.start();
      root.detachAndStopAllAppenders();
      root.addAppender(json);
    }
    redact(root);
  }

  /**
   * One JSON object per line with the formatted message. Not logback's default of template plus
   * argument array: arguments out of their sentence cannot be recognised as secrets and masked.
   */
  static JsonEncoder jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.setWithContext(false);
    encoder.start();
    return encoder;
  }

  private static void redact(ch.qos.logback.classic.Logger root) {
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      appenders.add(it.next());
    }
    for (Appender<ILoggingEvent> appender : appenders) {
      if (appender instanceof OutputStreamAppender<ILoggingEvent> out && !(out.getEncoder() instanceof RedactingEncoder)) {
        RedactingEncoder redacting = new RedactingEncoder(out.getEncoder());
        redacting.setContext(out.getContext());
        redacting.start();
        out.setEncoder(redacting);
      }
    }
  }
}
