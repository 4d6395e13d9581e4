package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.scim.schema.ResourceSchema;
import org.junit.jupiter.api.Test;

/** The journal's text of a request: how it writes what it keeps (what it keeps: JournalingTest, over HTTP). */
class JournalTextTest {
  final ObjectMapper json = new ObjectMapper();

  @Test
  void aPasswordPatchOpIsJournaledWithoutItsValue() throws Exception {
    JsonNode patch = json.readTree("{\"Operations\":[{\"op\":\"replace\",\"path\":\"password\",\"value\":\"s3cret\"}]}");
    assertThat(JournalText.patch(patch, ResourceSchema.USER)).isEqualTo("{\"Operations\":[{\"op\":\"replace\",\"path\":\"password\"}]}");
  }

  @Test
  void whatTheBridgeKeepsIsJournaledAsItsOwnJsonText() throws Exception {
    JsonNode body = json.readTree("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"\u00e9va@example.com\","
        + "\"urn:okta:custom:1.0:User\":{\"n\":[1,2.50,-3e-4,null,true],\"quote\":\"a\\\"b\\\\c\\n\\u0001\","
        + "\"big\":123456789012345678901234567890,\"empty\":{},\"none\":[]}}");
    assertThat(JournalText.resource(body, ResourceSchema.USER)).isEqualTo(body.toString());
  }
}
