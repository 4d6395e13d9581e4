package com.fulcrumscim.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The log as every command starts with it, set up in code where logback would read an XML file
 * with Joran: that reading (its parser, model and actions) was about a seventh of serve's main
 * thread before ready (issue 12). Readable lines on stderr, each one line ({@link OneLineMessage});
 * the libraries' own chatter at WARN. {@link LoggingSetup} then applies {@code logging.level} and
 * {@code logging.format} over it. Logback finds this class as a service, before it looks for a file.
 *
 * <p>A configuration file logback would read ({@code -Dlogback.configurationFile}, a logback.xml or
 * logback-test.xml on the class path, as the tests have) is left to logback, as it always was.
 */
public final class DefaultLogging extends ContextAwareBase implements Configurator {
  /** Time with its UTC offset, level, thread, logger, the resource key the line is about (MDC), message. */
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} %X{key:-} %oneLineMsg%n";
  static final String APPENDER = "STDERR";
  static final List<String> QUIET = List.of("org.eclipse.jetty", "io.javalin", "org.quartz", "okhttp3");

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (fileGiven()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    install(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static boolean fileGiven() {
    ClassLoader loader = DefaultLogging.class.getClassLoader();
    return System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || loader.getResource(ContextInitializer.TEST_AUTOCONFIG_FILE) != null
        || loader.getResource(ContextInitializer.AUTOCONFIG_FILE) != null;
  }

  /** The shipped configuration, on {@code context}. */
  static void install(LoggerContext context) {
    @SuppressWarnings("unchecked")
    Map<String, Supplier<DynamicConverter<?>>> rules =
        (Map<String, Supplier<DynamicConverter<?>>>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
    if (rules == null) {
      rules = new HashMap<>();
      context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
    }
    rules.put("oneLineMsg", OneLineMessage::new);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    QUIET.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
  }
}
