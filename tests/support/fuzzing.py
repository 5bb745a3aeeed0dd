"""Hostile input for hypothesis, and the check every form must pass with it: no server error; either a clear
message and nothing saved, or the input saved (and shown back as text, see assert_shown_as_text)."""

import datetime
import re

from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.template.defaultfilters import urlize
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from conversations.models import TEXT_LIMIT

# Shared settings for form fuzzing: examples run inside one test's database transaction, each in a savepoint.
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])

SCRIPTS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ request.user.password }}",
    "{% debug %}",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "'; DROP TABLE people_person; --",
]
CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=5) | st.sampled_from(
    ["\x7f", "\u202e", "\ufeff", "\u2028", "\ud7ff", "\U0010ffff"])

script_text = st.sampled_from(SCRIPTS)
huge_text = st.integers(TEXT_LIMIT + 1, TEXT_LIMIT * 4).map(lambda n: "ab " * (n // 3 + 1))
hostile_text = st.one_of(
    st.text(max_size=200),
    script_text,
    huge_text,
    st.tuples(st.text(max_size=20), CONTROL, st.text(max_size=20)).map("".join),
    st.sampled_from(["", " ", "\n\n", "\u00a0"]),
)
hostile_date = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.sampled_from(["2026-02-30", "2026-13-01", "31/12/2026", "0000-01-01", "9999-99-99", "tomorrow", "", "1e9"]),
    st.text(max_size=12),
)
hostile_time = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["24:00", "25:61", "9", "noon", "", "-01:00"]),
    st.text(max_size=8),
)
hostile_datetime = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.sampled_from(["2026-03-29T01:30", "2026-10-25T01:30", "2026-02-30T10:00", "", "now", "9999-12-31T23:59"]),
    st.text(max_size=20),
)
hostile_timezone = st.one_of(
    st.sampled_from(["Europe/London", "America/New_York", "Mars/Olympus", "UTC+25", "../../etc/passwd", "", "utc",
                     "Europe/London\x00", "Asia/Kathmandu "]),
    st.text(max_size=30),
)
hostile_id = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "0", "-1", "abc", "1.5", "1e3", "99999999999999999999999", " 1", "1;2"]),
    st.text(max_size=10),
)
hostile_choice = st.one_of(st.text(max_size=20), st.sampled_from(["", "other", "' OR 1=1", "true", "1"]))


def database_state(*labels):
    """Every row of the named models (e.g. "conversations.notes"), for comparing before and after a refusal."""
    return {
        label: list(apps.get_model(label).objects.order_by("pk").values())
        for label in labels
    }


ERROR_MARKERS = re.compile(r'class="[^"]*(invalid-feedback|errorlist|alert-danger|is-invalid|text-danger)')


def explained(response):
    """The answer tells the person why nothing happened: an error next to a field or in a message, or a 4xx."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and ERROR_MARKERS.search(response.content.decode(errors="replace")):
        return True
    return any(message.level >= constants.WARNING for message in get_messages(response.wsgi_request))


def shows_errors(response):
    return response.status_code >= 400 or (
        response.status_code == 200 and bool(ERROR_MARKERS.search(response.content.decode(errors="replace"))))


def submit(client, path, data, *, watched, method="post", after=None, **extra):
    """Submit `data` and check the answer: never a server error; a refusal saves nothing of the watched models
    and says why. Runs in a savepoint that is rolled back, so that examples do not see each other's rows.
    `after(response)`, if given, runs before the rollback. Returns (response, saved): whether any watched row
    changed."""
    with transaction.atomic():
        before = database_state(*watched)
        response = getattr(client, method)(path, data, **extra)
        assert response.status_code < 500, f"{path} answered {response.status_code} to {data!r}"
        saved = database_state(*watched) != before
        if shows_errors(response):
            assert not saved, f"{path} saved something while refusing {data!r}"
        if not saved:
            assert explained(response), f"{path} refused {data!r} without saying why"
        if after is not None:
            after(response)
        transaction.set_rollback(True)
    return response, saved


def assert_shown_as_text(page, typed, *, linked=False):
    """`typed` appears on the page escaped (with its web addresses made links, where the page does that), and
    none of its own markup survives."""
    shown = urlize(typed, autoescape=True) if linked else escape(typed)
    assert shown in page, f"{typed!r} is not shown as text"
    if "<" in typed:
        assert typed not in page, f"{typed!r} is in the page as markup"
