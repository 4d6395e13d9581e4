package com.fulcrumscim.scim.schema;

import static com.fulcrumscim.scim.schema.TestJson.fixture;
import static com.fulcrumscim.scim.schema.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.journal.GroupFields;
import com.fulcrumscim.journal.UserFields;
import org.junit.jupiter.api.Test;

class FieldsTest {
  final ResourceNormalizer normalizer = new ResourceNormalizer();

  @Test
  void oktasCreateBodyGivesTheFulcrumFields() {
    UserFields f = UserFields.of(normalizer.user(fixture("okta/create-user.json"), null));
    assertThat(f).isEqualTo(new UserFields("test.user@okta.local", "00ujl29u0le5T6Aj10h7", true,
        "test.user@okta.local", "Test", "User", "Test User", null));
  }

  @Test
  void theEmailIsThePrimaryOneElseTheFirstElseTheUserName() {
    assertThat(email("'emails':[{'value':'a@x'},{'value':'b@x','primary':true}]")).isEqualTo("b@x");
    assertThat(email("'emails':[{'value':'a@x'},{'value':'b@x'}]")).isEqualTo("a@x");
    assertThat(email("'title':'t'")).isEqualTo("u@x");
  }

  @Test
  void theRoleFromTheFulcrumExtensionWinsOverEveryOtherPlace() {
    assertThat(role("'" + ScimSchemas.FULCRUM_USER + "':{'role':'Owner'},'role':'Manager',"
        + "'roles':[{'value':'Standard User','primary':true}]")).isEqualTo("Owner");
  }

  @Test
  void aTopLevelRoleIsOktasCoreNamespaceOption() {
    assertThat(role("'role':'Manager','roles':[{'value':'Owner','primary':true}]"))
        .isEqualTo("Manager");
  }

  @Test
  void aRoleInsideAnotherExtensionIsFound() {
    assertThat(role("'" + ScimSchemas.ENTERPRISE_USER + "':{'Role':'Record Creator'}"))
        .isEqualTo("Record Creator");
    assertThat(role("'urn:ietf:params:scim:schemas:extension:acme:2.0:User':{'role':'Owner'}"))
        .isEqualTo("Owner");
  }

  @Test
  void rolesArrayGivesThePrimaryOrTheOnlyValue() {
    assertThat(role("'roles':[{'value':'Owner'},{'value':'Manager','primary':'True'}]"))
        .isEqualTo("Manager");
    assertThat(role("'roles':[{'value':'Owner'}]")).isEqualTo("Owner");
    assertThat(role("'roles':[{'value':'Owner'},{'value':'Manager'}]")).isNull();
  }

  @Test
  void noRoleAnywhereIsNull() {
    assertThat(role("'title':'t'")).isNull();
  }

  @Test
  void anInactiveUserIsInactive() {
    assertThat(UserFields.of(normalizer.user(json("{'schemas':[],'userName':'a','active':false}"), null))
        .active()).isFalse();
  }

  @Test
  void groupMemberIdsAreDistinctInOrder() {
    GroupFields g = GroupFields.of(normalizer.group(json("{'schemas':[],'displayName':'G',"
        + "'externalId':'e1','members':[{'value':'b'},{'value':'a'},{'value':'b'}]}")));
    assertThat(g).isEqualTo(new GroupFields("G", "e1", java.util.List.of("b", "a")));
  }

  private String email(String extra) {
    return UserFields.of(normalizer.user(json("{'schemas':[],'userName':'u@x'," + extra + "}"), null))
        .email();
  }

  private String role(String extra) {
    return UserFields.of(normalizer.user(json("{'schemas':[],'userName':'u'," + extra + "}"), null))
        .role();
  }
}
