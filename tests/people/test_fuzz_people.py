"""Hostile input to the profile, the directory search and the people import (see tests/fuzzing.py)."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from people.models import PeopleImport, Person
from tests.support.fuzzing import (
    FUZZ,
    SCRIPTS,
    assert_shown_as_text,
    hostile_choice,
    hostile_id,
    hostile_text,
    hostile_timezone,
    submit,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["people.person", "auth.user"]
FORMULAS = ("=", "+", "-", "@", "\t", "\r")


@FUZZ
@given(timezone=hostile_timezone, cadence=hostile_id, offers=hostile_choice,
       reminders=st.lists(hostile_choice, min_size=6, max_size=6))
def test_saving_a_profile_with_anything(client, employee, timezone, cadence, offers, reminders):
    client.force_login(employee.user)
    names = ("remind_due_soon", "remind_overdue", "remind_upcoming", "remind_notes", "remind_actions",
             "weekly_digest")
    data = {"timezone": timezone, "cadence_days": cadence, "offers_conversations": offers,
            **dict(zip(names, reminders))}

    response, saved = submit(client, f"/people/{employee.pk}/", data, watched=PEOPLE)

    if saved:
        assert response.status_code == 302


@FUZZ
@given(query=hostile_text, department=hostile_id, page=hostile_id)
def test_searching_the_directory_with_anything(client, employee, query, department, page):
    client.force_login(employee.user)

    response = client.get("/people/", {"q": query, "department": department, "page": page})

    assert response.status_code == 200


cell = st.one_of(hostile_text, st.sampled_from(SCRIPTS), st.sampled_from(["eli@example.com", "Europe/London",
                                                                           "2026-02-30", "Mars/Olympus"]))
header = st.lists(st.sampled_from(["Employee ID", "Email", "Name", "Job title", "Department", "Manager",
                                   "Timezone", "Start date", "Status", "=cmd", ""]), min_size=1, max_size=9)


def as_csv(head, rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(head)
    writer.writerows(rows)
    return buffer.getvalue()


csv_file = st.one_of(
    st.builds(as_csv, header, st.lists(st.lists(cell, max_size=10), max_size=6), st.sampled_from([",", ";", "\t"]))
    .map(lambda text: text.encode("utf-8")),
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda text: text.encode("utf-16")),
)


@FUZZ
@given(content=csv_file, name=st.sampled_from(["people.csv", "people.xlsx", "../../etc/passwd", "<b>x</b>.csv"]))
def test_uploading_any_file_previews_it_and_creates_nobody(client, hr, content, name):
    client.force_login(hr.user)
    people_before = (Person.objects.count(), User.objects.count())

    def previewed(response):
        assert (Person.objects.count(), User.objects.count()) == people_before
        if response.status_code == 302:
            assert client.get(response.headers["Location"]).status_code == 200
            upload = PeopleImport.objects.latest("pk")
            rows = list(csv.reader(io.StringIO(
                client.get(f"/people/import/{upload.pk}/problems.csv").content.decode("utf-8-sig"))))
            assert all(not value.startswith(FORMULAS) for row in rows[1:] for value in row[1:3])

    # A preview is saved (and explains every problem); people are not, until HR confirms.
    submit(client, "/people/import/", {"file": SimpleUploadedFile(name, content), "marks_leavers": "on"},
           watched=PEOPLE + ["people.peopleimport"], after=previewed)


@pytest.mark.parametrize("text", SCRIPTS)
def test_names_typed_as_script_are_shown_as_text_in_the_preview_and_directory(client, hr, text):
    content = as_csv(["Email", "Name", "Job title"], [["ada@example.com", f"Ada {text}", text[:150]]], ",")
    client.force_login(hr.user)

    response = client.post("/people/import/", {"file": SimpleUploadedFile("people.csv", content.encode())})

    assert response.status_code == 302
    assert_shown_as_text(client.get(response.headers["Location"]).content.decode(), f"Ada {text}")
