package com.fulcrumscim.scim;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Registers each path of the endpoint with the methods it serves, and every other method as 405
 * with an {@code Allow} header naming those (RFC 9110 §15.5.6) and a SCIM error body: "no such
 * endpoint" for a path that exists sent a client looking for a wrong URL instead of a wrong method.
 */
final class PathRoutes {
  private static final List<HandlerType> METHODS =
      List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

  private final RoutesConfig routes;

  PathRoutes(RoutesConfig routes) {
    this.routes = routes;
  }

  /** {@code handlers}: the methods {@code path} serves; a path registered earlier is matched first. */
  void add(String path, Map<HandlerType, Handler> handlers) {
    String allow = METHODS.stream().filter(handlers::containsKey).map(HandlerType::name)
        .collect(Collectors.joining(", "));
    for (HandlerType method : METHODS) {
      routes.addHttpHandler(method, path, handlers.getOrDefault(method, ctx -> notAllowed(ctx, path, allow)));
    }
  }

  private static void notAllowed(Context ctx, String path, String allow) {
    ctx.header("Allow", allow);
    throw new ScimException(405, null, ctx.method() + " is not served at " + path + " (it serves " + allow + ")");
  }
}
