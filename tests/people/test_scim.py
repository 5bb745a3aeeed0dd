"""SCIM 2.0 provisioning, through the real stack: the requests identity providers send, and who may send them."""

import json

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from people.models import Person, ScimEvent
from people.roles import HR_GROUP
from people.scim import tokens
from tests.support.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def secret():
    return tokens.create_token(name="Okta", created_by=None, now=timezone.now())[1]


def call(client, secret, method, path, body=None):
    return client.generic(method, f"/scim/v2/{path}", json.dumps(body) if body is not None else "",
                          content_type="application/scim+json", HTTP_AUTHORIZATION=f"Bearer {secret}")


def new_user(user_name, external_id, **extra):
    given, family = user_name.split("@")[0].split(".")
    return {"schemas": [CORE, ENTERPRISE], "userName": user_name, "externalId": external_id,
            "name": {"givenName": given.title(), "familyName": family.title()},
            "emails": [{"value": user_name, "type": "work", "primary": True}], "active": True, **extra}


def test_okta_creates_a_user_then_deactivates_them_with_a_patch_of_active(client, secret):
    created = call(client, secret, "POST", "Users", new_user("ada.lovelace@example.org", "okta-1"))
    assert created.status_code == 201
    pk = created.json()["id"]
    found = call(client, secret, "GET", 'Users?filter=userName eq "ada.lovelace@example.org"&startIndex=1&count=2')
    assert found.json()["totalResults"] == 1 and found.json()["Resources"][0]["id"] == pk

    answer = call(client, secret, "PATCH", f"Users/{pk}", {
        "schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]})

    assert answer.status_code == 200 and answer.json()["active"] is False
    person = Person.objects.select_related("user").get(pk=pk)
    assert (person.is_active, person.user.is_active, person.left_on) == (False, False, timezone.now().date())
    back = call(client, secret, "PATCH", f"Users/{pk}", {
        "schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]})
    assert back.json()["active"] is True
    assert Person.objects.get(pk=pk).is_active is True


def test_entra_sets_a_manager_and_a_work_email_with_capitalised_operations(client, secret):
    boss = call(client, secret, "POST", "Users", new_user("grace.hopper@example.org", "entra-boss")).json()
    report = call(client, secret, "POST", "Users", new_user("alan.turing@example.org", "entra-report")).json()

    answer = call(client, secret, "PATCH", f"Users/{report['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss["id"]},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "alan@example.org"},
        {"op": "Replace", "path": "title", "value": "Cryptanalyst"},
    ]})

    assert answer.status_code == 200, answer.content
    person = Person.objects.select_related("user").get(pk=report["id"])
    assert person.manager_id == int(boss["id"])
    assert (person.user.email, person.job_title) == ("alan@example.org", "Cryptanalyst")
    assert answer.json()[ENTERPRISE]["manager"]["value"] == boss["id"]


def test_a_report_sent_before_their_manager_gets_them_when_the_manager_arrives(client, secret):
    report = call(client, secret, "POST", "Users", new_user(
        "ada.byron@example.org", "r-1", **{ENTERPRISE: {"employeeNumber": "E2", "manager": {"value": "E1"}}})).json()
    assert Person.objects.get(pk=report["id"]).manager_id is None

    boss = call(client, secret, "POST", "Users", new_user(
        "charles.babbage@example.org", "b-1", **{ENTERPRISE: {"employeeNumber": "E1"}})).json()

    assert Person.objects.get(pk=report["id"]).manager_id == int(boss["id"])


def test_a_manager_loop_is_refused_with_a_scim_error_and_nothing_changes(client, secret):
    boss = call(client, secret, "POST", "Users", new_user("mary.somerville@example.org", "l-1")).json()
    report = call(client, secret, "POST", "Users", new_user(
        "john.herschel@example.org", "l-2", **{ENTERPRISE: {"manager": {"value": boss["id"]}}})).json()

    answer = call(client, secret, "PATCH", f"Users/{boss['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": report["id"]}}]})

    assert answer.status_code == 400
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert "loop" in answer.json()["detail"]
    assert Person.objects.get(pk=boss["id"]).manager_id is None


def test_a_person_imported_from_a_file_is_matched_by_employee_id_not_duplicated(client, secret):
    imported = PersonFactory(employee_id="E77", user__email="old@example.org")

    answer = call(client, secret, "POST", "Users", new_user(
        "katherine.johnson@example.org", "k-1", **{ENTERPRISE: {"employeeNumber": "E77"}}))

    assert answer.status_code == 201 and answer.json()["id"] == str(imported.pk)
    assert Person.objects.count() == 1
    assert Person.objects.get().user.email == "katherine.johnson@example.org"


def test_delete_marks_the_person_as_left_and_keeps_them(client, secret):
    pk = call(client, secret, "POST", "Users", new_user("hedy.lamarr@example.org", "d-1")).json()["id"]

    assert call(client, secret, "DELETE", f"Users/{pk}").status_code == 204
    assert Person.objects.get(pk=pk).is_active is False


def test_the_hr_group_takes_members_from_the_provider(client, secret):
    pk = call(client, secret, "POST", "Users", new_user("joan.clarke@example.org", "g-1")).json()["id"]
    group = call(client, secret, "GET", 'Groups?filter=displayName eq "HR"').json()["Resources"][0]

    answer = call(client, secret, "PATCH", f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": pk}]}]})

    assert answer.status_code == 200, answer.content
    assert Group.objects.get(name=HR_GROUP).user_set.filter(person__pk=pk).exists()


def test_every_call_is_recorded_by_token_with_ids_only(client, secret):
    pk = call(client, secret, "POST", "Users", new_user("radia.perlman@example.org", "a-1")).json()["id"]
    event = ScimEvent.objects.get()
    assert (event.method, event.resource_type, event.resource_id, event.status) == ("POST", "User", pk, 201)
    assert event.token.name == "Okta"


def test_a_malformed_filter_is_a_scim_error_not_a_crash(client, secret):
    answer = call(client, secret, "GET", 'Users?filter=userName eq')
    assert answer.status_code == 400 and answer.json()["scimType"] == "invalidFilter"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic abc"])
def test_calls_without_a_valid_token_are_refused(client, secret, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    answer = client.get("/scim/v2/Users", **headers)
    assert answer.status_code == 401
    assert not ScimEvent.objects.exists()


def test_a_revoked_token_is_refused(client):
    token, secret = tokens.create_token(name="Entra", created_by=None, now=timezone.now())
    tokens.revoke_token(token=token, now=timezone.now())
    assert call(client, secret, "GET", "Users").status_code == 401


def test_a_rotated_token_stops_the_old_secret(client):
    token, old = tokens.create_token(name="Entra", created_by=None, now=timezone.now())
    new = tokens.rotate_token(token=token, now=timezone.now())
    assert call(client, old, "GET", "Users").status_code == 401
    assert call(client, new, "GET", "Users").status_code == 200


def test_a_signed_in_session_without_a_token_is_refused(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    assert client.get("/scim/v2/Users").status_code == 401
    assert client.post("/scim/v2/Users", "{}", content_type="application/scim+json").status_code == 401


def test_tokens_are_stored_hashed_and_shown_once(client):
    hr = PersonFactory()
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(hr.user)
    client.force_login(hr.user)

    made = client.post("/people/provisioning/", {"name": "Okta"})

    secret = made.context["secret"]
    assert secret.startswith("ccscim_") and secret in made.content.decode()
    stored = tokens.ScimToken.objects.get()
    assert secret not in (stored.token_hash, stored.prefix)
    assert secret not in client.get("/people/provisioning/").content.decode()


def test_a_token_without_a_name_is_explained_next_to_the_field(client):
    hr = PersonFactory()
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(hr.user)
    client.force_login(hr.user)
    answer = client.post("/people/provisioning/", {"name": ""})
    assert answer.status_code == 400 and "This field is required" in answer.content.decode()


def test_the_rate_limit_answers_429(client, secret, settings):
    settings.SCIM_RATE_LIMIT_PER_MINUTE = 2
    codes = [call(client, secret, "GET", "ServiceProviderConfig").status_code for _ in range(3)]
    assert codes[-1] == 429


