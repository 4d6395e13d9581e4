package com.fulcrumscim.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One Elastic Common Schema object per line ({@code @timestamp}, {@code log.level}, {@code message},
 * {@code log.logger}, {@code process.thread.name}, {@code error.*}, MDC entries as top-level fields),
 * the shape Filebeat, Elastic Agent, Loki and Vector parse without a custom pipeline. The message
 * is the formatted one: an argument out of its sentence could not be recognised as a secret.
 */
final class EcsEncoder extends EncoderBase<ILoggingEvent> {
  static final String ECS_VERSION = "1.6.0";
  private static final byte[] NO_BYTES = new byte[0];
  private final JsonFactory json = new JsonFactory();
  private final String serviceName;

  EcsEncoder(String serviceName) {
    this.serviceName = serviceName;
  }

  @Override
  public byte[] headerBytes() {
    return NO_BYTES;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("@timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("log.level", event.getLevel().toString());
      g.writeStringField("message", event.getFormattedMessage());
      g.writeStringField("ecs.version", ECS_VERSION);
      g.writeStringField("service.name", serviceName);
      g.writeStringField("log.logger", event.getLoggerName());
      g.writeStringField("process.thread.name", event.getThreadName());
      for (Map.Entry<String, String> mdc : event.getMDCPropertyMap().entrySet()) {
        g.writeStringField(mdc.getKey(), mdc.getValue());
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) {
        g.writeStringField("error.type", error.getClassName());
        g.writeStringField("error.message", error.getMessage());
        g.writeStringField("error.stack_trace", ThrowableProxyUtil.asString(error));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return NO_BYTES;
  }
}
