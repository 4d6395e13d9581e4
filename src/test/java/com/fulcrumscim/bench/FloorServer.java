package com.fulcrumscim.bench;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.scim.ScimServer;
import io.javalin.Javalin;

/**
 * The HTTP floor: empty handlers (reading the body, answering no content) for GET and POST {@code /scim/v2/Users} on the endpoint's own
 * Javalin/Jetty settings ({@link ScimServer#httpStack}), run as a child JVM like {@code serve}.
 * No bridge can answer faster than this on the same machine.
 */
public final class FloorServer {
  private FloorServer() {}

  public static void main(String[] args) {
    BridgeConfig.Server server = ConfigLoader.fromSystemEnvironment().defaults().server();
    ScimServer.Settings settings = new ScimServer.Settings("127.0.0.1", 0, server.maxBodyBytes(), 1000, 30, false, "",
        server.bodyReadTimeout(), server.maxConcurrentBodies());
    String users = ScimServer.BASE_PATH + "/Users";
    Javalin app = Javalin.create(cfg -> {
      ScimServer.httpStack(cfg, settings);
      cfg.routes.get(users, ctx -> ctx.status(200));
      // the body is read (as any handler must, or Jetty closes the connection) and ignored
      cfg.routes.post(users, ctx -> ctx.status(ctx.bodyAsBytes().length > 0 ? 201 : 400));
      cfg.routes.patch(users + "/{id}", ctx -> ctx.status(ctx.bodyAsBytes().length > 0 ? 200 : 400));
    }).start();
    System.out.println("SCIM endpoint: http://127.0.0.1:" + app.port() + ScimServer.BASE_PATH);
  }
}
