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
  /** Methods no path serves: without a route of their own they were "no such endpoint" (404). */
  private static final List<HandlerType> UNSERVED = List.of(HandlerType.OPTIONS, HandlerType.TRACE);

  private final RoutesConfig routes;

  PathRoutes(RoutesConfig routes) {
    this.routes = routes;
  }

  /** {@code handlers}: the methods {@code path} serves; a path registered earlier is matched first. */
  void add(String path, Map<HandlerType, Handler> handlers) {
    String allow = METHODS.stream().filter(handlers::containsKey).map(HandlerType::name)
        .collect(Collectors.joining(", "));
    Handler notAllowed = ctx -> notAllowed(ctx, path, allow);
    for (HandlerType method : METHODS) {
      routes.addHttpHandler(method, path, handlers.getOrDefault(method, notAllowed));
    }
    // A HEAD is the GET without its body (RFC 9110 §9.3.2). Javalin answered it 200 itself, never
    // running the GET, so a monitor's HEAD of a deleted user was told it exists.
    routes.addHttpHandler(HandlerType.HEAD, path, handlers.getOrDefault(HandlerType.GET, notAllowed));
    for (HandlerType method : UNSERVED) {
      routes.addHttpHandler(method, path, notAllowed);
    }
  }

  private static void notAllowed(Context ctx, String path, String allow) {
    ctx.header("Allow", allow);
    throw new ScimException(405, null, ctx.method() + " is not served at " + path + " (it serves " + allow + ")");
  }
}
