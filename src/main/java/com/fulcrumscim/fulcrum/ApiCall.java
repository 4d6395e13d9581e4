package com.fulcrumscim.fulcrum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * One Fulcrum request before it is sent: {@code template} is the path under /api/v2/ with
 * {@code {id}} placeholders, so the endpoint label never carries an id. {@code idempotent} calls
 * may be retried within the call; creates never are (a retried create could duplicate).
 */
record ApiCall(
    String method, String template, List<String> ids, Map<String, String> query, String body, boolean idempotent) {

  static ApiCall get(String template, String... ids) {
    return new ApiCall("GET", template, List.of(ids), Map.of(), null, true);
  }

  static ApiCall create(String template, String body) {
    return new ApiCall("POST", template, List.of(), Map.of(), body, false);
  }

  /** A POST that sets state rather than adding it (change_permissions), so it may be repeated. */
  static ApiCall idempotentPost(String template, String body) {
    return new ApiCall("POST", template, List.of(), Map.of(), body, true);
  }

  static ApiCall put(String template, String body, String... ids) {
    return new ApiCall("PUT", template, List.of(ids), Map.of(), body, true);
  }

  static ApiCall delete(String template, String body, String... ids) {
    return new ApiCall("DELETE", template, List.of(ids), Map.of(), body, true);
  }

  ApiCall withQuery(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(query);
    more.put(name, value);
    return new ApiCall(method, template, ids, more, body, idempotent);
  }

  /** "METHOD /api/v2/template", ids left as {id}: the metric and log label. */
  String endpoint() {
    return method + " /api/v2/" + template;
  }

  HttpUrl url(HttpUrl base) {
    HttpUrl.Builder url = base.newBuilder().addPathSegments("api/v2");
    List<String> remaining = new ArrayList<>(ids);
    for (String segment : Arrays.asList(template.split("/"))) {
      url.addPathSegment(segment.contains("{id}") ? segment.replace("{id}", remaining.remove(0)) : segment);
    }
    query.forEach(url::addQueryParameter);
    return url.build();
  }
}
