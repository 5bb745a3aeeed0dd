"""Personal data: a person downloads everything about them; HR erases a person who left, keeping the counts."""

import datetime
import io
import json
import zipfile

import pytest
from axes.models import AccessLog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Q

from conversations import audit
from conversations.models import (
    ActionItem,
    AuditEvent,
    BusyInterval,
    CalendarConnection,
    Conversation,
    DayOff,
    Notes,
    Notification,
    Preparation,
    Reminder,
    Roadblock,
)
from conversations.participation.figures import Period, participation
from conversations.personal_data import (
    EXPORTED,
    NOT_EXPORTED,
    ErasureRefused,
    erase_person,
    export_personal_data,
)
from people.models import PeopleImport, Person
from tests.support.factories import (
    PASSWORD,
    ActionItemFactory,
    ConversationFactory,
    NotesFactory,
    PersonFactory,
    PreparationFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)
HELD = datetime.datetime(2026, 1, 20, 10, 0, tzinfo=datetime.UTC)
# Every text about the leaver carries this marker, so that a dump of the whole database can be searched for it.
SECRET = "zanzibar-quokka"


def unzip(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


@pytest.fixture
def history(employee, manager, mentor):
    """Eli's conversations: one held with Maya (his manager), one booked with Mina (a mentor)."""
    held = ConversationFactory(employee=employee, partner=manager, starts_at=HELD, status="completed",
                               held_at=HELD, location=f"Maya's office {SECRET}",
                               employee_reflection=f"I felt heard {SECRET}")
    booked = ConversationFactory(employee=employee, partner=mentor, relation="mentor",
                                 starts_at=datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC))
    PreparationFactory(conversation=held, roadblocks=f"I am thinking of leaving {SECRET}", topics=["progression"],
                       aspiration_direction="sideways", aspiration_target=f"Data engineering {SECRET}",
                       shared_at=HELD - datetime.timedelta(days=1))
    NotesFactory(conversation=held, author=manager, visibility=Notes.Visibility.SHARED,
                 summary=f"Eli wants to move towards data {SECRET}")
    NotesFactory(conversation=held, author=manager, visibility=Notes.Visibility.PRIVATE,
                 summary=f"Flight risk {SECRET}")
    NotesFactory(conversation=held, author=employee, visibility=Notes.Visibility.PRIVATE,
                 summary=f"Ask about the data team again {SECRET}")
    ActionItemFactory(conversation=held, text=f"Shadow the data team {SECRET}", owner=employee,
                      due_on=datetime.date(2026, 2, 20), done_at=datetime.datetime(2026, 2, 18, tzinfo=datetime.UTC))
    ActionItemFactory(conversation=held, text="HR to find a mentor", owner_kind=ActionItem.Owner.ORGANISATION,
                      owner=None, due_on=datetime.date(2026, 3, 1))
    roadblock = Roadblock.objects.create(employee=employee, text=f"No time for training {SECRET}", created_by=manager)
    roadblock.raised_in.add(held)
    return held, booked


# --- Export ----------------------------------------------------------------------------------------------------


def test_the_download_holds_the_person_s_profile_conversations_and_own_notes(employee, manager, history):
    files = unzip(export_personal_data(person=employee, now=NOW))

    assert set(files) == {"README.txt", "profile.json", "conversations.json", "availability.json", "reminders.json",
                          "notifications.json", "access_log.json", "sign_ins.json", "follow_through.json",
                          "feedback.json"}
    profile = json.loads(files["profile.json"])
    assert (profile["username"], profile["first_name"], profile["manager"], profile["department"]) == (
        "eli", "Eli", "Maya Okafor", "Engineering")
    conversations = json.loads(files["conversations.json"])
    assert [(c["with"], c["status"], c["my_role"]) for c in conversations] == [
        ("Maya Okafor", "completed", "employee"), ("Mina Sato", "confirmed", "employee")]
    held = conversations[0]
    assert held["preparation"]["roadblocks"] == f"I am thinking of leaving {SECRET}"
    assert held["preparation"]["topics"] == ["progression"]
    assert held["employee_reflection"] == f"I felt heard {SECRET}"
    assert sorted((n["author"], n["visibility"], n["summary"]) for n in held["notes"]) == [
        ("Eli Brandt", "private", f"Ask about the data team again {SECRET}"),
        ("Maya Okafor", "shared", f"Eli wants to move towards data {SECRET}"),
    ]
    assert [(a["text"], a["owner"], a["due_on"]) for a in held["actions"]] == [
        (f"Shadow the data team {SECRET}", "Eli Brandt", "2026-02-20"),
        ("HR to find a mentor", None, "2026-03-01"),
    ]
    assert "Flight risk" not in "".join(files.values())
    roadblocks = json.loads(files["follow_through.json"])["roadblocks"]
    assert [(r["text"], r["resolved_at"], r["raised_in_conversations_starting"]) for r in roadblocks] == [
        (f"No time for training {SECRET}", None, ["2026-01-20T10:00:00Z"])]


def test_a_partner_s_download_holds_their_notes_but_not_the_employee_s_preparation(manager, history):
    files = unzip(export_personal_data(person=manager, now=NOW))

    conversations = json.loads(files["conversations.json"])
    assert [(c["with"], c["my_role"]) for c in conversations] == [("Eli Brandt", "partner")]
    assert "preparation" not in conversations[0]
    assert sorted(n["summary"] for n in conversations[0]["notes"]) == [
        f"Eli wants to move towards data {SECRET}", f"Flight risk {SECRET}"]
    assert "Ask about the data team again" not in files["conversations.json"]


def test_the_download_holds_availability_reminders_notifications_access_log_and_sign_ins(mentor, employee,
                                                                                         history):
    DayOff.objects.create(person=mentor, date=datetime.date(2026, 4, 6), note="Easter Monday")
    Reminder.objects.create(kind="upcoming", recipient=mentor, subject="conversation:1", period="2026-03-19",
                            not_before=NOW, status="sent", sent_at=NOW)
    Notification.objects.create(recipient=mentor, title="Conversation tomorrow", body="With Eli Brandt")
    AccessLog.objects.create(username="mina", ip_address="10.0.0.7", user_agent="Firefox", path_info="/login/")
    audit.record_access(actor=employee, conversation=history[1], subject=AuditEvent.Record.PREPARATION,
                        action=AuditEvent.Action.CHANGED, now=NOW)
    audit.record_access(actor=mentor, conversation=history[1], subject=AuditEvent.Record.PREPARATION,
                        action=AuditEvent.Action.VIEWED, now=NOW)

    files = {name: json.loads(text) for name, text in unzip(export_personal_data(person=mentor, now=NOW)).items()
             if name.endswith(".json")}

    assert files["availability.json"]["weekly_windows"][0] == {"weekday": "Monday", "start": "09:00:00",
                                                               "end": "17:00:00"}
    assert files["availability.json"]["days_off"] == [{"date": "2026-04-06", "note": "Easter Monday"}]
    assert [r["kind"] for r in files["reminders.json"]["reminders"]] == ["upcoming"]
    assert [n["title"] for n in files["notifications.json"]] == ["Conversation tomorrow"]
    assert [(e["who"], e["action"]) for e in files["access_log.json"]["my_accesses"]] == [("Mina Sato", "viewed")]
    assert files["access_log.json"]["accesses_to_my_records"] == []
    assert [s["ip_address"] for s in files["sign_ins.json"]["sign_ins"]] == ["10.0.0.7"]


def test_the_download_holds_connected_calendars_and_their_busy_times_but_not_their_secrets(mentor):
    connection = CalendarConnection.objects.create(
        person=mentor, kind=CalendarConnection.Kind.CALDAV, label="mina at cloud.example.com",
        address="https://cloud.example.com/dav/", username="mina", password="app-password-secret", created_at=NOW,
        last_success_at=NOW)
    BusyInterval.objects.create(connection=connection, person=mentor, starts_at=NOW + datetime.timedelta(hours=2),
                                ends_at=NOW + datetime.timedelta(hours=3))

    text = unzip(export_personal_data(person=mentor, now=NOW))["availability.json"]

    assert json.loads(text)["calendars"] == [{
        "label": "mina at cloud.example.com", "kind": "CalDAV account", "connected_at": "2026-03-10T14:00:00Z",
        "last_read_at": "2026-03-10T14:00:00Z",
        "busy_times": [{"start": "2026-03-10T16:00:00Z", "end": "2026-03-10T17:00:00Z"}]}]
    assert "app-password-secret" not in text and "https://cloud.example.com/dav/" not in text


def test_every_model_that_refers_to_a_person_is_exported_or_explained():
    user_model = get_user_model()
    referring = {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model in (Person, user_model) and not field.auto_created
    } | {"auth.user", "people.person"}

    assert referring - set(EXPORTED) - set(NOT_EXPORTED) == set()


def test_a_person_downloads_their_data_as_a_zip_and_it_is_logged(client, employee, history):
    client.force_login(employee.user)

    response = client.get("/people/me/privacy/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="careerconv-my-data-')
    assert "profile.json" in unzip(response.content)
    event = AuditEvent.objects.get()
    assert (event.subject, event.record, event.action, event.actor_role) == (
        employee, "personal_data", "exported", "employee")


def test_a_user_without_a_person_has_nothing_to_download(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("contractor", password="unused-password-123"))

    assert client.get("/people/me/privacy/download/").status_code == 404


# --- Erasure ---------------------------------------------------------------------------------------------------


def participation_snapshot():
    """The figures the participation dashboard is built from, by department and by manager."""
    conversations = Conversation.objects.values("employee__department__name", "employee__manager_id").annotate(
        total=Count("pk"),
        held=Count("pk", filter=Q(status="completed")),
        standalone=Count("pk", filter=Q(status="completed", kind="standalone")),
        with_manager=Count("pk", filter=Q(relation="manager")),
        prepared=Count("pk", filter=Q(preparation__shared_at__isnull=False)),
        notes=Count("notes"),
    ).order_by("employee__department__name", "employee__manager_id")
    actions = ActionItem.objects.values("owner_kind").annotate(
        total=Count("pk"), done_on_time=Count("pk", filter=Q(done_at__date__lte=F("due_on")))
    ).order_by("owner_kind")
    people = Person.objects.values("department__name", "manager_id", "is_active").annotate(n=Count("pk")).order_by(
        "department__name", "manager_id", "is_active")
    aspirations = Preparation.objects.values("aspiration_direction", "aspiration_horizon").annotate(
        n=Count("pk")).order_by("aspiration_direction")
    return [list(conversations), list(actions), list(people), list(aspirations)]


@pytest.fixture
def leaver(employee, history):
    employee.is_active = False
    employee.left_on = datetime.date(2026, 2, 28)
    employee.employee_id = "E-1042"
    employee.save()
    Notification.objects.create(recipient=employee, title="Action due", body=f"Shadow the data team {SECRET}")
    AccessLog.objects.create(username="eli", ip_address="10.0.0.9", user_agent="Safari", path_info="/login/")
    return employee


def full_dump():
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_erasing_a_leaver_removes_their_text_and_identity(leaver, hr, manager, stranger):
    shared_about_other = NotesFactory(
        conversation=ConversationFactory(employee=stranger, partner=leaver, relation="peer", starts_at=HELD),
        author=leaver, visibility=Notes.Visibility.SHARED, summary="Sam is ready to lead the EMEA deals")
    assert SECRET in full_dump()

    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    dump = full_dump()
    assert SECRET not in dump
    assert "Brandt" not in dump and "eli@example.com" not in dump and "E-1042" not in dump
    leaver.refresh_from_db()
    assert (leaver.name, leaver.user.username, leaver.user.email, leaver.job_title) == (
        "Former colleague", f"erased-{leaver.pk}", "", "")
    assert not leaver.user.has_usable_password() and not leaver.user.is_active
    shared_about_other.refresh_from_db()
    assert shared_about_other.summary == "Sam is ready to lead the EMEA deals"


def dashboard(now):
    """The HR dashboard's figures, headline, breakdowns and trend, over the last twelve months."""
    return participation(now=now, period=Period.last_months(12, today=now.date()), tz=datetime.UTC)


def test_erasing_a_leaver_keeps_the_participation_figures_identical(leaver, hr, manager, mentor, stranger):
    ConversationFactory(employee=stranger, partner=mentor, relation="mentor", starts_at=HELD, status="completed")
    for index in range(5):
        # Five more people in Engineering, so that its breakdown is shown rather than "fewer than 5".
        colleague = PersonFactory(manager=manager, start_date=datetime.date(2025, 1, 6))
        ConversationFactory(employee=colleague, partner=manager, status="completed",
                            starts_at=HELD - datetime.timedelta(days=30 * index))
    before = participation_snapshot(), dashboard(NOW)
    assert before[1].headline.held > 0 and not before[1].headline.suppressed

    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    assert (participation_snapshot(), dashboard(NOW)) == before
    preparation = Preparation.objects.get(conversation__employee=leaver)
    assert (preparation.topics, preparation.aspiration_direction, preparation.roadblocks) == (
        ["progression"], "sideways", "")


def test_an_erased_person_cannot_sign_in(client, leaver, hr):
    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    for username in ("eli", f"erased-{leaver.pk}"):
        response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert "Please enter a correct username and password" in response.content.decode()


def test_erasure_is_recorded_and_their_own_accesses_become_anonymous(leaver, hr, history):
    audit.record_access(actor=leaver, conversation=history[1], subject=AuditEvent.Record.PREPARATION,
                        action=AuditEvent.Action.CHANGED, now=NOW - datetime.timedelta(days=1))

    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    assert list(AuditEvent.objects.order_by("at").values_list("actor", "actor_role", "action")) == [
        (None, "employee", "changed"), (hr.user.pk, "hr", "erased")]


def test_a_person_still_employed_cannot_be_erased(employee, hr):
    with pytest.raises(ErasureRefused, match="mark them as left first"):
        erase_person(person=employee, erased_by=hr.user, now=NOW)


def test_a_person_is_erased_once(leaver, hr):
    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    with pytest.raises(ErasureRefused, match="already been erased"):
        erase_person(person=leaver, erased_by=hr.user, now=NOW)


def test_hr_lists_leavers_and_erases_one_after_confirming(client, leaver, hr):
    client.force_login(hr.user)
    assert "Erase Eli Brandt…" in client.get("/people/privacy/").content.decode()

    refused = client.post(f"/people/privacy/leavers/{leaver.pk}/erase/", {})
    assert "Tick the box to confirm: erasing cannot be undone." in refused.content.decode()
    assert Person.objects.get(pk=leaver.pk).name == "Eli Brandt"

    response = client.post(f"/people/privacy/leavers/{leaver.pk}/erase/", {"confirm": "on"}, follow=True)
    page = response.content.decode()
    assert "Eli Brandt has been erased." in page
    assert "Former colleague" in page and "Erased" in page
    assert client.get(f"/people/privacy/leavers/{leaver.pk}/erase/").status_code == 404


@pytest.mark.parametrize("persona", ["manager", "mentor", "stranger"])
def test_only_hr_can_erase(client, request, leaver, persona):
    client.force_login(request.getfixturevalue(persona).user)

    assert client.get(f"/people/privacy/leavers/{leaver.pk}/erase/").status_code == 404
    assert client.post(f"/people/privacy/leavers/{leaver.pk}/erase/", {"confirm": "on"}).status_code == 404
    assert Person.objects.get(pk=leaver.pk).name == "Eli Brandt"


def test_hr_cannot_erase_someone_still_employed(client, employee, hr):
    client.force_login(hr.user)

    assert client.post(f"/people/privacy/leavers/{employee.pk}/erase/", {"confirm": "on"}).status_code == 404


def test_erasure_removes_the_leaver_s_availability(hr):
    leaver = PersonFactory(offers_conversations=True, is_active=False)
    DayOff.objects.create(person=leaver, date=datetime.date(2026, 4, 6), note="Wedding in Zanzibar")
    connection = CalendarConnection.objects.create(
        person=leaver, kind=CalendarConnection.Kind.SUBSCRIPTION, label="calendar.example.com",
        address="https://calendar.example.com/secret.ics", created_at=NOW)
    BusyInterval.objects.create(connection=connection, person=leaver, starts_at=NOW,
                                ends_at=NOW + datetime.timedelta(hours=1))

    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    assert not DayOff.objects.filter(person=leaver).exists()
    assert not CalendarConnection.objects.exists() and not BusyInterval.objects.exists()
    leaver.refresh_from_db()
    assert leaver.offers_conversations is False


def test_erasure_removes_the_leaver_from_the_people_files_hr_uploaded(leaver, hr):
    upload = PeopleImport.objects.create(
        file_name="workday.csv", content="employee id,email,name\nE-1042,eli@example.com,Eli Brandt\n"
                                         "E-10420,ola@example.com,Ola Brandt-Eliasson\n",
        preview={"leave": [{"name": "Eli Brandt", "email": "eli@example.com"}], "counts": {"leave": 1},
                 "problems": [{"line": 2, "message": "E-1042 is also on line 3."}]})

    erase_person(person=leaver, erased_by=hr.user, now=NOW)

    upload.refresh_from_db()
    assert upload.content == ("employee id,email,name\n(erased),(erased),(erased)\n"
                              "E-10420,ola@example.com,Ola Brandt-Eliasson\n")
    assert upload.preview == {"leave": [{"name": "(erased)", "email": "(erased)"}], "counts": {"leave": 1},
                              "problems": [{"line": 2, "message": "(erased) is also on line 3."}]}
