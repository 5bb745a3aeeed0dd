"""The whole SCIM provider, black-box, against scim2-tester's RFC 7643/7644 checks over HTTP to the live server."""

import httpx2
import pytest
from django.utils import timezone
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from people.scim import tokens

pytestmark = pytest.mark.django_db(transaction=True)

# Checks that do not apply to careerconv, each with its reason in the README ("What does not apply"): (resource
# type, check, attribute or None).
NOT_APPLICABLE = {
    # DELETE marks the person as left and keeps their history: they are still found, with `active: false`.
    ("User", "object_deletion", None),
    # careerconv always knows whether someone works here: removing `active` leaves it as it is.
    ("User", "check_remove_attribute", "active"),
    # HR is careerconv's only group and it always exists: a provider fills it, it cannot create, rename or delete
    # groups, so every check that starts by creating a group of its own is refused with a SCIM error.
    *{("Group", check, None) for check in (
        "object_creation", "object_query", "object_query_without_id", "object_query_with_attributes",
        "object_list_with_attributes", "search_with_attributes", "object_replacement", "object_deletion",
        "check_add_attribute", "check_remove_attribute", "check_replace_attribute",
    )},
}

# Every attribute careerconv publishes for a User is added and replaced through PATCH (userName, being required,
# is only replaced).
PATCHED_USER_ATTRIBUTES = {
    "name", "title", "emails", "active", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
}


def _key(result):
    urn = result.data.get("urn") if isinstance(result.data, dict) else None
    return (result.resource_type, result.title, urn if result.resource_type == "User" else None)


def test_the_provider_passes_the_scim_compliance_checks(live_server):
    secret = tokens.create_token(name="scim2-tester", created_by=None, now=timezone.now())[1]
    http = httpx2.Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"})

    results = check_server(SyncSCIMClient(http), resource_types=["User", "Group"])

    failed = [result for result in results if result.status not in (Status.SUCCESS, Status.SKIPPED)]
    unexpected = [f"{result.resource_type} {result.title}: {result.reason}" for result in failed
                  if _key(result) not in NOT_APPLICABLE]
    assert unexpected == []
    passed = {_key(result) for result in results if result.status == Status.SUCCESS}
    for check, attributes in (("check_add_attribute", PATCHED_USER_ATTRIBUTES),
                              ("check_replace_attribute", PATCHED_USER_ATTRIBUTES | {"userName"}),
                              ("check_remove_attribute", PATCHED_USER_ATTRIBUTES - {"active"})):
        assert {urn for kind, title, urn in passed if (kind, title) == ("User", check)} >= attributes, check
    for check in ("service_provider_config_endpoint", "query_all_resource_types", "query_all_schemas",
                  "object_creation", "object_query", "object_replacement", "random_url"):
        assert any(title == check for _, title, _ in passed), check
