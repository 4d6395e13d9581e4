package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fulcrumscim.config.BridgeConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoggingSetupTest {
  static final String SECRET = "s3cr3t-T0KEN.value";

  final LoggerContext context = new LoggerContext();

  {
    context.setMDCAdapter(new LogbackMDCAdapter());
  }
  final ByteArrayOutputStream written = new ByteArrayOutputStream();

  /** A root appender writing into {@link #written} with {@code encoder}, then the setup applied as `serve` does. */
  Logger logger(Encoder<ILoggingEvent> encoder) {
    encoder.setContext(context);
    if (!encoder.isStarted()) {
      encoder.start();
    }
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(written);
    appender.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    LoggingSetup.apply(context, new BridgeConfig.Logging("text", "INFO"));
    return context.getLogger("test");
  }

  Logger textLogger() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setPattern("%msg%n%ex");
    return logger(encoder);
  }

  String output() {
    return written.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aBearerTokenIsMasked() {
    textLogger().info("request had Authorization: Bearer {}", SECRET);
    assertThat(output()).isEqualTo("request had Authorization: Bearer <redacted>\n");
  }

  @Test
  void theFulcrumTokenHeaderIsMasked() {
    textLogger().warn("sent X-ApiToken: {} to Fulcrum", SECRET);
    assertThat(output()).isEqualTo("sent X-ApiToken: <redacted> to Fulcrum\n");
  }

  @Test
  void anApiTokenConfigLineIsMasked() {
    textLogger().info("config: api_token: {} and apiToken={}", SECRET, SECRET);
    assertThat(output()).isEqualTo("config: api_token: <redacted> and apiToken=<redacted>\n");
  }

  @Test
  void aTokenInAnExceptionMessageIsMasked() {
    textLogger().error("call failed", new IllegalStateException("header X-ApiToken=" + SECRET + " refused"));
    assertThat(output()).contains("X-ApiToken=<redacted> refused").doesNotContain(SECRET);
  }

  @Test
  void jsonOutputIsMaskedInsideEscapedStrings() {
    logger(LoggingSetup.jsonEncoder(context)).info("body {\"api_token\":\"{}\"} header Bearer {}", SECRET, SECRET);
    assertThat(output()).doesNotContain(SECRET)
        .contains("\"message\":\"body {\\\"api_token\\\":\\\"<redacted>\\\"} header Bearer <redacted>\"");
  }

  @Test
  void jsonLinesCarryTheElasticCommonSchemaFields() throws Exception {
    logger(LoggingSetup.jsonEncoder(context)).warn("Fulcrum answered {}", 503);
    com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(output());
    assertThat(line.path("message").asText()).isEqualTo("Fulcrum answered 503");
    assertThat(line.path("log.level").asText()).isEqualTo("WARN");
    assertThat(line.path("log.logger").asText()).isEqualTo("test");
    assertThat(line.path("process.thread.name").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(java.time.Instant.parse(line.path("@timestamp").asText())).isBeforeOrEqualTo(java.time.Instant.now());
    assertThat(line.path("ecs.version").asText()).isNotEmpty();
    assertThat(output()).endsWith("}\n").hasLineCount(1);
  }

  @Test
  void jsonErrorsCarryTypeMessageAndStackTrace() throws Exception {
    logger(LoggingSetup.jsonEncoder(context)).error("apply failed", new IllegalStateException("disk full"));
    com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(output());
    assertThat(line.path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(line.path("error.message").asText()).isEqualTo("disk full");
    assertThat(line.path("error.stack_trace").asText()).contains("LoggingSetupTest");
  }

  @Test
  void ordinaryLinesAreUntouched() {
    textLogger().info("created member alice@example.com (role Standard User) in 120 ms");
    assertThat(output()).isEqualTo("created member alice@example.com (role Standard User) in 120 ms\n");
  }

  @Test
  void applyingTwiceWrapsOnce() {
    textLogger().info("Bearer {}", SECRET);
    LoggingSetup.apply(context, new BridgeConfig.Logging("text", "INFO"));
    context.getLogger("test").info("Bearer {}", SECRET);
    assertThat(output()).isEqualTo("Bearer <redacted>\nBearer <redacted>\n");
  }

  @Test
  void theJsonFormatIsRedactedToo() {
    LoggingSetup.apply(context, new BridgeConfig.Logging("json", "INFO"));
    OutputStreamAppender<ILoggingEvent> json =
        (OutputStreamAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("JSON");
    assertThat(json.getEncoder()).isInstanceOf(RedactingEncoder.class);
    json.stop();
  }

  /** An operator command masks tokens too, but keeps the terminal's readable lines under logging.format: json. */
  @Test
  void aCommandMasksTokensAndKeepsTheTextFormat() {
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setPattern("%level %msg%n");
    text.setContext(context);
    text.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(text);
    appender.setOutputStream(written);
    appender.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);

    LoggingSetup.forCommand(context, new BridgeConfig.Logging("json", "warn"));
    Logger logger = context.getLogger("test");
    logger.info("not at warn");
    logger.warn("Fulcrum answered: X-ApiToken: {} refused", SECRET);

    assertThat(output()).isEqualTo("WARN Fulcrum answered: X-ApiToken: <redacted> refused\n");
  }

  /** The shipped text encoder ({@link DefaultLogging}), configured as serve's start-up configures it. */
  @SuppressWarnings("unchecked")
  static Encoder<ILoggingEvent> shippedTextEncoder(LoggerContext shipped) {
    shipped.setMDCAdapter(new LogbackMDCAdapter());
    DefaultLogging.install(shipped);
    return ((OutputStreamAppender<ILoggingEvent>) shipped.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
        .getEncoder();
  }

  /** A client's line break (an attribute name, a member id) cannot start a line that reads as the bridge's own. */
  @Test
  void theShippedTextLogWritesEveryEventOnOneLine() throws Exception {
    LoggerContext shipped = new LoggerContext();
    Encoder<ILoggingEvent> encoder = shippedTextEncoder(shipped);
    Logger logger = shipped.getLogger("com.fulcrumscim.scim.schema.ResourceNormalizer");
    String forged = "x\n2026-01-01T00:00:00.000+00:00 ERROR [main] c.f.r.ReconcileLoop  forged\u2028and\r\u001b[2Jmore";

    String line = new String(encoder.encode(
        new LoggingEvent(Logger.FQCN, logger, Level.INFO, "ignoring unknown User attribute {}", null, new Object[] {forged})),
        StandardCharsets.UTF_8);

    assertThat(line).endsWith("\n").doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u001b");
    assertThat(line.strip().lines()).hasSize(1);
    assertThat(line).contains("attribute x\\u000a2026-01-01T00:00:00.000+00:00 ERROR");
  }

  /** A client's bidirectional override cannot make the rest of a line read reversed (an id, a verdict). */
  @Test
  void theShippedTextLogEscapesBidirectionalControls() throws Exception {
    LoggerContext shipped = new LoggerContext();
    Encoder<ILoggingEvent> encoder = shippedTextEncoder(shipped);
    Logger logger = shipped.getLogger("com.fulcrumscim.scim.schema.ResourceNormalizer");

    String line = new String(encoder.encode(new LoggingEvent(Logger.FQCN, logger, Level.INFO,
        "ignoring unknown User attribute {}", null, new Object[] {"a\u202eb\u2066c\u200fd"})), StandardCharsets.UTF_8);

    assertThat(line).doesNotContain("\u202e").doesNotContain("\u2066").doesNotContain("\u200f")
        .contains("attribute a\\u202eb\\u2066c\\u200fd");
  }

  @Test
  void theShippedTextLogStillWritesAStackTraceOnLinesOfItsOwn() throws Exception {
    LoggerContext shipped = new LoggerContext();
    Encoder<ILoggingEvent> encoder = shippedTextEncoder(shipped);
    Logger logger = shipped.getLogger("test");

    String text = new String(encoder.encode(
        new LoggingEvent(Logger.FQCN, logger, Level.ERROR, "call failed", new IllegalStateException("boom"), null)),
        StandardCharsets.UTF_8);

    assertThat(text.lines()).hasSizeGreaterThan(2);
    assertThat(text.lines().skip(1).findFirst()).hasValue("java.lang.IllegalStateException: boom");
  }
}
