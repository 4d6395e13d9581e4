package com.fulcrumscim.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
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
 * Applies {@code logging.level} and {@code logging.format} over the shipped log
 * ({@link DefaultLogging}) once the config is known, and puts {@link SecretRedactor} in front of
 * every root appender's output; for the daemon, drops the line Javalin logs for a start that
 * failed ({@link JavalinStartFailureFilter}).
 */
public final class LoggingSetup {
  private LoggingSetup() {}

  public static void apply(BridgeConfig.Logging logging) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      apply(context, logging);
    }
  }

  /**
   * For an operator command: {@code logging.level}, and {@link SecretRedactor} in front of the
   * output, which is stderr in the shipped readable format whatever {@code logging.format} says
   * (JSON is for the daemon's log collector, not a terminal).
   */
  public static void forCommand(BridgeConfig.Logging logging) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      forCommand(context, logging);
    }
  }

  static void forCommand(LoggerContext context, BridgeConfig.Logging logging) {
    setLevel(context, logging.level());
    redact(context.getLogger(Logger.ROOT_LOGGER_NAME));
  }

  static void apply(LoggerContext context, BridgeConfig.Logging logging) {
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    setLevel(context, logging.level());
    if (context.getTurboFilterList().stream().noneMatch(JavalinStartFailureFilter.class::isInstance)) {
      JavalinStartFailureFilter filter = new JavalinStartFailureFilter();
      filter.setContext(context);
      filter.start();
      context.addTurboFilter(filter);
    }
    if ("json".equals(logging.format())) {
      EcsEncoder encoder = jsonEncoder(context);
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

  /** {@code logging.level} on the root logger; also what SIGHUP re-applies. Returns the level now in force. */
  public static String setLevel(String level) {
    return LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? setLevel(context, level) : level;
  }

  private static String setLevel(LoggerContext context, String level) {
    Level parsed = Level.toLevel(level, Level.INFO);
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(parsed);
    return parsed.toString();
  }

  /**
   * {@code message} at INFO through {@code logger}'s appenders, in the log's format, whatever
   * {@code logging.level} says: for a line that must reach the operator (a generated SCIM token).
   */
  public static void always(Logger logger, String message) {
    if (logger instanceof ch.qos.logback.classic.Logger logback) {
      logback.callAppenders(new LoggingEvent(Logger.class.getName(), logback, Level.INFO, message, null, null));
    } else {
      logger.info(message);
    }
  }

  /** ECS JSON, one object per line. */
  static EcsEncoder jsonEncoder(LoggerContext context) {
    EcsEncoder encoder = new EcsEncoder("fulcrum-scim");
    encoder.setContext(context);
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
