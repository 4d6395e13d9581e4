package com.fulcrumscim.scim.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.scim.ScimException;
import com.fulcrumscim.scim.schema.ResourceSchema;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IndexedLookupTest {

  @Test
  void userNameEqUsesTheLowerCasedKey() {
    assertThat(users("userName eq \"Test.User@OKTA.local\""))
        .contains(new IndexedLookup("user_name_key", "test.user@okta.local", false));
    assertThat(users("urn:ietf:params:scim:schemas:core:2.0:User:USERNAME eq \"A\""))
        .contains(new IndexedLookup("user_name_key", "a", false));
  }

  @Test
  void externalIdAndIdKeepTheirCase() {
    assertThat(users("externalId eq \"00uJL\""))
        .contains(new IndexedLookup("external_id", "00uJL", false));
    assertThat(users("id eq \"Ab-1\"")).contains(new IndexedLookup("id", "Ab-1", false));
  }

  @Test
  void groupsLookUpByDisplayNameKeyExternalIdAndId() {
    assertThat(groups("displayName eq \"APP-X\""))
        .contains(new IndexedLookup("display_name_key", "app-x", false));
    assertThat(groups("externalId eq \"E\"")).contains(new IndexedLookup("external_id", "E", false));
    assertThat(groups("id eq \"g1\"")).contains(new IndexedLookup("id", "g1", false));
  }

  @Test
  void anAndWithOneIndexableSideNeedsTheResidual() {
    assertThat(users("active eq true and userName eq \"A\""))
        .contains(new IndexedLookup("user_name_key", "a", true));
    assertThat(users("(externalId eq \"e\" and title pr) and active eq true"))
        .contains(new IndexedLookup("external_id", "e", true));
  }

  @Test
  void otherFiltersScan() {
    assertThat(users("displayName eq \"x\"")).isEmpty();
    assertThat(users("userName sw \"a\"")).isEmpty();
    assertThat(users("userName eq \"a\" or id eq \"b\"")).isEmpty();
    assertThat(users("not (userName eq \"a\")")).isEmpty();
    assertThat(users("emails[type eq \"work\"].value eq \"a@b\"")).isEmpty();
    assertThat(users("name.givenName eq \"a\"")).isEmpty();
  }

  @Test
  void anInvalidResidualTermIsAnErrorEvenBeforeTheLookup() {
    assertThatThrownBy(() -> users("userName eq \"a\" and active gt true"))
        .isInstanceOfSatisfying(ScimException.class,
            e -> assertThat(e.scimType()).isEqualTo("invalidFilter"));
  }

  private static Optional<IndexedLookup> users(String filter) {
    return IndexedLookup.of(FilterParser.parse(filter), ResourceSchema.USER);
  }

  private static Optional<IndexedLookup> groups(String filter) {
    return IndexedLookup.of(FilterParser.parse(filter), ResourceSchema.GROUP);
  }
}
