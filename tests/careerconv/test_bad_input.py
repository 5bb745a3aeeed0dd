"""Bad input, fuzzed with hypothesis: random, huge and control-character text, invalid dates and timezones,
unknown ids. No request ends in a server error; a refusal says why next to the field and saves nothing; what is
saved is shown back as text."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from people.models import PeopleImport
from tests.support.factories import PASSWORD, PersonFactory, make_hr
from tests.support.fuzzing import FUZZ, hostile_id, hostile_text, submit
from tests.support.urlwalk import all_routes

pytestmark = pytest.mark.django_db

INT_ROUTES = [route for route in all_routes() if "<int:" in route.pattern]
UNKNOWN_IDS = ["0", "987654321", str(2**63), str(10**30)]


@pytest.mark.parametrize("route", INT_ROUTES, ids=lambda r: r.name or r.pattern)
def test_an_unknown_id_however_large_answers_404(route):
    person = make_hr(PersonFactory())
    client = Client()
    client.force_login(person.user)

    for unknown in UNKNOWN_IDS:
        path = re.sub(r"<int:\w+>", unknown, route.pattern)
        path = re.sub(r"<(?:\w+:)?\w+>", "sample", path)
        answers = (client.get(path).status_code, client.post(path, {}).status_code)
        # 405 for the method a page does not take; 404 for the other.
        assert set(answers) <= {404, 405} and 404 in answers, f"{path}: {answers}"


@FUZZ
@given(username=hostile_text, password=hostile_text)
def test_signing_in_with_anything_never_fails_on_the_server(client, username, password):
    response, _ = submit(client, "/accounts/login/", {"username": username, "password": password},
                         watched=["auth.user"])

    assert response.status_code in (200, 429)


@FUZZ
@given(old=hostile_text, new1=hostile_text, new2=hostile_text)
def test_a_password_change_with_anything_refuses_cleanly(client, employee, old, new1, new2):
    client.force_login(employee.user)

    _, saved = submit(client, "/accounts/password_change/",
                      {"old_password": old, "new_password1": new1, "new_password2": new2}, watched=["auth.user"])

    assert not saved
    employee.user.refresh_from_db()
    assert employee.user.check_password(PASSWORD)


@FUZZ
@given(confirm=hostile_text, pk=hostile_id)
def test_the_erase_form_refuses_anything_but_a_leaver_and_a_tick(client, hr, confirm, pk):
    client.force_login(hr.user)

    _, saved = submit(client, f"/people/privacy/leavers/{quote(pk, safe='')}/erase/", {"confirm": confirm},
                      watched=["people.person", "auth.user", "conversations.auditevent"])

    assert not saved


@FUZZ
@given(page=st.one_of(hostile_id, hostile_text))
def test_the_access_list_takes_any_page_number(client, employee, page):
    client.force_login(employee.user)

    assert client.get("/people/me/privacy/", {"page": page}).status_code == 200


def test_an_import_whose_uploader_was_deleted_still_opens(client, hr):
    upload = PeopleImport.objects.create(file_name="people.csv", created_by=None,
                                         preview={"counts": {}, "problems": []})
    client.force_login(hr.user)

    assert client.get("/people/import/").status_code == 200
    assert "someone" in client.get(f"/people/import/{upload.pk}/").content.decode()
