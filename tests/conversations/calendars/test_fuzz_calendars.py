"""Hostile input to every form that connects, chooses, tests or disconnects a partner's calendar (see
tests/support/fuzzing.py for the check): no server error, a refusal says why next to the field and saves nothing."""

import datetime
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.models import CalendarConnection
from tests.conversations.calendars.test_subscription import FEED
from tests.support.factories import PersonFactory
from tests.support.fuzzing import FUZZ, hostile_choice, hostile_id, hostile_text, submit

pytestmark = pytest.mark.django_db

CALENDARS = ["conversations.calendarconnection", "conversations.busyinterval"]
PAGE = "/conversations/availability/calendars"
NOW = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=datetime.UTC)

# Addresses that look like calendars but must never be fetched, or that break a URL parser.
odd_address = st.sampled_from([
    "https://10.0.0.1/calendar.ics", "webcal://192.168.1.1/c.ics", "https://169.254.169.254/latest/meta-data",
    "https://[::1]/c.ics", "https://[::1", "https://a:99999/c.ics", "https://localhost/c.ics", "https://0/c.ics",
    "https://2130706433/c.ics", "https:///c.ics", "ftp://127.0.0.1/c.ics", "file:///etc/passwd", "webcal://",
    "http://127.0.0.1:1/c.ics", "https://user:pass@[fe80::1%25eth0]/c.ics", "https://exa mple.com/c.ics",
])
address = st.one_of(st.just("SERVED"), odd_address, hostile_text,
                    st.text(max_size=40).map(lambda text: f"https://{text}"))


@pytest.fixture
def partner(client):
    person = PersonFactory(offers_conversations=True)
    client.force_login(person.user)
    return person


def errors_next_to(field, form_name):
    def check(response):
        if response.status_code == 200:
            assert response.context[form_name].errors[field], "the refusal is not shown next to the field"
    return check


@pytest.mark.parametrize("production", [False, True], ids=["tests", "production"])
@FUZZ
@given(typed=address)
def test_connecting_a_subscription_with_anything(client, settings, partner, feed_server, production, typed):
    settings.CALENDAR_ALLOW_LOCAL_ADDRESSES = not production
    settings.CALENDAR_TIMEOUT_SECONDS = 0.5
    feed_server.body, feed_server.headers = FEED, {"Content-Type": "text/calendar"}
    data = {"address": feed_server.url if typed == "SERVED" else typed}

    response, saved = submit(client, f"{PAGE}/subscription/", data, watched=CALENDARS,
                             after=errors_next_to("address", "subscription_form"))

    if saved:
        assert response.status_code == 302 and typed == "SERVED" and not production


@FUZZ
@given(where=st.one_of(st.just("RADICALE"), address), username=hostile_text, password=hostile_text)
def test_connecting_a_caldav_account_with_anything(client, settings, partner, radicale, where, username, password):
    settings.CALENDAR_TIMEOUT_SECONDS = 0.5
    data = {"address": radicale if where == "RADICALE" else where, "username": username, "password": password}

    def check(response):
        if response.status_code == 200:
            form = response.context["caldav_form"]
            assert form.errors, "the refusal is not shown on the form"
            assert "value=" not in str(form["password"]), "the password is shown again"

    response, saved = submit(client, f"{PAGE}/caldav/", data, watched=CALENDARS, after=check)

    if saved:
        assert response.status_code == 302


@FUZZ
@given(read=st.lists(st.one_of(st.sampled_from(["http://127.0.0.1:1/a/", "http://127.0.0.1:1/b/"]),
                               hostile_choice), max_size=3),
       write=st.one_of(st.sampled_from(["", "http://127.0.0.1:1/b/"]), hostile_choice))
def test_choosing_calendars_with_anything(client, settings, partner, read, write):
    settings.CALENDAR_TIMEOUT_SECONDS = 0.5
    connection = CalendarConnection.objects.create(
        person=partner, kind=CalendarConnection.Kind.CALDAV, label="mina at 127.0.0.1",
        address="http://127.0.0.1:1/", username="mina", password="app-password", created_at=NOW,
        calendars=[{"url": "http://127.0.0.1:1/a/", "name": "Work"}, {"url": "http://127.0.0.1:1/b/", "name": "Home"}],
        read_calendars=["http://127.0.0.1:1/a/"])
    prefix = f"calendars-{connection.pk}"
    data = {f"{prefix}-read": read, f"{prefix}-write": write}

    response, saved = submit(client, f"{PAGE}/{connection.pk}/calendars/", data, watched=CALENDARS)

    if response.status_code == 200:
        shown = {shown.pk: form for shown, form in response.context["calendars"]}[connection.pk]
        assert shown.errors, "the refusal is not shown on the calendar's form"
    connection.delete()


@FUZZ
@given(pk=hostile_id, action=st.sampled_from(["test", "disconnect", "calendars"]))
def test_someone_elses_or_no_calendar_is_not_found(client, partner, pk, action):
    theirs = CalendarConnection.objects.create(
        person=PersonFactory(), kind=CalendarConnection.Kind.SUBSCRIPTION, label="calendar.example.com",
        address="https://calendar.example.com/secret.ics", created_at=NOW)
    target = str(theirs.pk) if pk == "0" else quote(pk, safe="")

    response, saved = submit(client, f"{PAGE}/{target}/{action}/", {}, watched=CALENDARS)

    assert response.status_code == 404 and not saved
    theirs.delete()
