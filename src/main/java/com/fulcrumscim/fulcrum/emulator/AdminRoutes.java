package com.fulcrumscim.fulcrum.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fulcrumscim.fulcrum.emulator.Answer.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The harness's endpoints under {@code /_emulator/} (no API token, not counted, never faulted):
 *
 * <pre>
 * GET    /_emulator/state[?ids=a,b]   canonical snapshot of every member and group (or just these ids)
 * GET    /_emulator/faults            the faults switched on, as {@link FaultSettings} JSON
 * POST   /_emulator/faults            switch faults on or off: {@link FaultSettings} JSON, fields optional
 * DELETE /_emulator/faults            switch every fault off
 * GET    /_emulator/calls             {"total": n, "calls": [{"endpoint", "status", "count"}]} (status 0: dropped)
 * POST   /_emulator/reset-calls       zero the call counter
 * POST   /_emulator/reset-rate-limit  forget every token's calls in the trailing hour
 * POST   /_emulator/token             {"token": "new"}: accept this token from now on (and un-revoke)
 * </pre>
 */
final class AdminRoutes {
  private final FulcrumEmulator emulator;

  AdminRoutes(FulcrumEmulator emulator) {
    this.emulator = emulator;
  }

  Answer handle(Request req) {
    String route = req.method() + " " + req.path();
    try {
      return switch (route) {
        case "GET /_emulator/state" -> state(req);
        case "GET /_emulator/faults" -> Replies.json(200, emulator.faults().settings());
        case "POST /_emulator/faults" -> {
          emulator.faults().apply(Json.MAPPER.readValue(req.body(), FaultSettings.class));
          yield Replies.json(200, emulator.faults().settings());
        }
        case "DELETE /_emulator/faults" -> Replies.json(200, emulator.faults().clear().settings());
        case "GET /_emulator/calls" -> Replies.json(200, Map.of("total", emulator.calls().total(), "calls", emulator.calls().all()));
        case "POST /_emulator/reset-calls" -> {
          emulator.calls().reset();
          yield Replies.noContent();
        }
        case "POST /_emulator/reset-rate-limit" -> {
          emulator.resetRateLimit();
          yield Replies.noContent();
        }
        case "POST /_emulator/token" -> {
          emulator.replaceToken(Json.MAPPER.readTree(req.body()).path("token").asText(""));
          yield Replies.noContent();
        }
        default -> Replies.notFound();
      };
    } catch (JsonProcessingException e) {
      return Replies.json(400, Map.of("error", Json.oneLine(e)));
    } catch (IOException | IllegalArgumentException e) {
      return Replies.json(400, Map.of("error", String.valueOf(e.getMessage())));
    }
  }

  private Reply state(Request req) {
    String ids = req.query().get("ids");
    String snapshot =
        ids == null ? emulator.snapshotJson() : emulator.snapshotJson(idList(ids));
    return new Reply(200, Map.of(), snapshot.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> idList(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
