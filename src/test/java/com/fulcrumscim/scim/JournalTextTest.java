package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The journal's text of a request: what it keeps and how it writes it. */
class JournalTextTest {
  final ObjectMapper json = new ObjectMapper();

  @Test
  void aPasswordPatchOpIsJournaledWithoutItsValue() throws Exception {
    JsonNode patch = json.readTree("{\"Operations\":[{\"op\":\"replace\",\"path\":\"password\",\"value\":\"s3cret\"}]}");
    assertThat(JournalText.of(patch)).isEqualTo("{\"Operations\":[{\"op\":\"replace\",\"path\":\"password\"}]}");
  }

  @Test
  void aBodyWithoutSecretsIsJournaledAsItsOwnJsonText() throws Exception {
    JsonNode body = json.readTree("{\"userName\":\"\u00e9va@example.com\",\"n\":[1,2.50,-3e-4,null,true],"
        + "\"quote\":\"a\\\"b\\\\c\\n\\u0001\",\"big\":123456789012345678901234567890,\"empty\":{},\"none\":[]}");
    assertThat(JournalText.of(body)).isEqualTo(body.toString());
  }
}
