package com.fulcrumscim.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Wraps an appender's encoder and runs {@link SecretRedactor} over each encoded line, so message,
 * arguments, MDC and stack traces are all covered, in text and JSON output alike.
 */
final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
  private final Encoder<ILoggingEvent> delegate;

  RedactingEncoder(Encoder<ILoggingEvent> delegate) {
    this.delegate = delegate;
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] encoded = delegate.encode(event);
    if (encoded == null) {
      return null;
    }
    // Both logback encoders write UTF-8 unless configured otherwise; the bridge never configures otherwise.
    return SecretRedactor.redact(new String(encoded, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }

  @Override
  public void start() {
    if (!delegate.isStarted()) {
      delegate.start();
    }
    super.start();
  }

  @Override
  public void stop() {
    delegate.stop();
    super.stop();
  }
}
