package com.fulcrumscim.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Javalin's ERROR line "Failed to start Javalin": Javalin throws the failure on to whoever
 * started it, and {@code serve} says in one line what failed and where (a port in use: the address
 * and the key that sets it). Printed first, the bare ERROR read as a crash of its own (review-s8c F11).
 */
final class JavalinStartFailureFilter extends TurboFilter {
  private static final String LOGGER = "io.javalin.Javalin";
  private static final String MESSAGE = "Failed to start Javalin";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return MESSAGE.equals(format) && logger != null && LOGGER.equals(logger.getName()) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
