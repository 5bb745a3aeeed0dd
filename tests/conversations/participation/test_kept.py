"""Kept participation figures are exactly the live ones: for random organisations, instants, periods, timezones
and departments; after bookings, completions, cancellations, manager changes, leavers and erasure (kept by a real
Celery worker); and whatever writes to the tables they read, bulk updates included."""

import datetime
import random
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from conversations import booking, tasks
from conversations.followup.completion import mark_held
from conversations.models import (
    ActionItem,
    Conversation,
    FeedbackAnswer,
    FeedbackRequest,
    ParticipationKeeper,
    ParticipationSnapshot,
    Relation,
)
from conversations.participation.figures import PRESETS, Period, participation, period_for
from conversations.participation.kept import (
    changes_so_far,
    dashboard_figures,
    keep_participation,
    keep_view,
    kept_participation,
    view_name,
)
from conversations.personal_data import erase_person
from people.models import Person
from people.org import mark_left, set_manager
from tests.support.factories import (
    AvailabilityFactory,
    ConversationFactory,
    DepartmentFactory,
    PersonFactory,
    PreparationFactory,
    make_hr,
    weekday_windows,
)
from tests.support.waiting import wait_until

ZONES = ["Europe/London", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Pacific/Auckland", "UTC"]
UTC = datetime.UTC
BASE = datetime.datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def days(n):
    return datetime.timedelta(days=n)


def random_organisation(rng, *, people=36, now=BASE):
    """Departments, managers and staff in many timezones and cadences, some not started yet and some gone, with
    two years of conversations in every state, preparations, actions and feedback asked of colleagues."""
    departments = [DepartmentFactory(name=f"Department {i}") for i in range(3)]
    managers = [PersonFactory(department=rng.choice(departments), timezone=rng.choice(ZONES)) for _ in range(4)]
    staff = list(managers)
    for _ in range(people - len(managers)):
        started = rng.choice([None, (now - days(rng.randint(-20, 900))).date()])
        person = PersonFactory(department=rng.choice([*departments, None]), manager=rng.choice([*managers, None]),
                               timezone=rng.choice(ZONES), cadence_days=rng.choice([30, 60, 90, 180]),
                               start_date=started)
        if rng.random() < 0.12:
            Person.objects.filter(pk=person.pk).update(is_active=False,
                                                       left_on=(now - days(rng.randint(0, 400))).date())
        staff.append(person)
    for employee in staff:
        for _ in range(rng.randint(0, 6)):
            starts_at = now + datetime.timedelta(hours=rng.randint(-24 * 760, 24 * 40))
            status = rng.choice(["completed"] * 5 + ["cancelled", "no_show", "confirmed", "requested"])
            if starts_at > now and status in ("completed", "no_show"):
                status = "confirmed"
            partner = rng.choice([p for p in staff if p != employee])
            conversation = ConversationFactory(
                employee=employee, partner=partner, starts_at=starts_at, status=status,
                relation=rng.choice([Relation.MANAGER, Relation.MENTOR, Relation.PEER]),
                kind=rng.choice([Conversation.Kind.STANDALONE, Conversation.Kind.REVIEW]),
                held_at=starts_at + days(rng.randint(0, 3)) if status in ("completed", "no_show") else None,
                cancelled_at=starts_at - days(rng.randint(0, 10)) if status == "cancelled" else None,
            )
            Conversation.objects.filter(pk=conversation.pk).update(created_at=starts_at - days(rng.randint(1, 30)))
            if rng.random() < 0.4:
                PreparationFactory(conversation=conversation,
                                   shared_at=starts_at - days(1) if rng.random() < 0.7 else None)
            if rng.random() < 0.5:
                owner_kind = rng.choice(list(ActionItem.Owner))
                due_on = (starts_at + days(rng.randint(5, 60))).date()
                ActionItem.objects.create(
                    conversation=conversation, text="Follow up", owner_kind=owner_kind,
                    owner={"employee": employee, "partner": partner}.get(owner_kind), due_on=due_on,
                    done_at=starts_at + days(rng.randint(1, 80)) if rng.random() < 0.6 else None)
        if rng.random() < 0.3:
            asked_at = now - days(rng.randint(0, 500))
            request = FeedbackRequest.objects.create(asker=employee, areas=["abilities"], created_at=asked_at,
                                                     answer_by=(asked_at + days(14)).date(),
                                                     expires_on=(asked_at + days(30)).date())
            for colleague in rng.sample([p for p in staff if p != employee], rng.randint(1, 3)):
                answered = rng.random() < 0.6
                FeedbackAnswer.objects.create(
                    request=request, colleague=colleague, asked_at=asked_at,
                    status=FeedbackAnswer.Status.ANSWERED if answered else FeedbackAnswer.Status.ASKED,
                    submitted_at=asked_at + days(rng.randint(0, 20)) if answered else None)
    return departments


def _departments_with_people():
    return Person.objects.filter(department__isnull=False).values("department").distinct().count()


def random_view(rng, now, departments):
    tz = zoneinfo.ZoneInfo(rng.choice(ZONES))
    today = now.astimezone(tz).date()
    choice = rng.choice([*PRESETS, "custom"])
    if choice == "custom":
        end = today - days(rng.randint(0, 400))
        period = Period(start=end - days(rng.randint(0, 700)), end=end)
    else:
        period = period_for(choice, today=today)
    return choice, period, tz, rng.choice([None, *departments])


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_figures_are_the_live_figures_for_random_instants_periods_timezones_and_departments(seed):
    rng = random.Random(seed)
    departments = random_organisation(rng)
    for _ in range(8):
        now = BASE - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 300))
        choice, period, tz, department = random_view(rng, now, departments)
        keep_view(view=view_name(choice, period), tz=tz, department=department, now=now)
        kept = kept_participation(view=view_name(choice, period), period=period, tz=tz, department=department)
        live = participation(now=now, period=period, tz=tz, department=department)
        assert live.headline.active > 0
        assert kept.participation == live, (seed, choice, period, tz, department)


@pytest.mark.django_db
def test_every_write_to_the_tables_the_figures_read_counts_as_a_change_bulk_updates_included():
    person = PersonFactory()
    conversation = ConversationFactory(employee=person)
    writes = [
        lambda: Conversation.objects.filter(pk=conversation.pk).update(status="cancelled"),
        lambda: Person.objects.filter(pk=person.pk).update(cadence_days=60),
        lambda: User.objects.filter(pk=person.user_id).update(first_name="Renamed"),
        lambda: PreparationFactory(conversation=conversation),
        lambda: ActionItem.objects.create(conversation=conversation, text="x", owner_kind="organisation"),
        lambda: ActionItem.objects.all().delete(),
    ]
    for write in writes:
        before = changes_so_far()
        write()
        assert changes_so_far() > before
    before = changes_so_far()
    ParticipationSnapshot.objects.all().delete()  # not something the figures read
    User.objects.filter(pk=person.user_id).update(last_login=timezone.now())  # signing in
    assert changes_so_far() == before


@pytest.mark.django_db
def test_a_run_keeps_only_what_is_out_of_date_and_one_run_at_a_time(settings):
    settings.DEFAULT_PERSON_TIMEZONE = "Europe/London"
    random_organisation(random.Random(7), people=12)
    first = keep_participation(now=BASE)
    # Every preset, for everyone and for each department with people, in the organisation's timezone.
    assert first == len(PRESETS) * (1 + _departments_with_people())
    assert keep_participation(now=BASE + datetime.timedelta(minutes=1)) == 0
    employee, partner = Person.objects.all()[:2]
    ConversationFactory(employee=employee, partner=partner, starts_at=BASE + days(2))
    assert keep_participation(now=BASE + datetime.timedelta(minutes=2)) == first
    # Status figures move with the clock: anything older than the maximum age is worked out again.
    assert keep_participation(now=BASE + datetime.timedelta(minutes=2 + settings.PARTICIPATION_MAX_AGE_MINUTES
                                                            + 1)) == first
    ParticipationKeeper.objects.filter(pk=1).update(running_since=BASE + datetime.timedelta(minutes=35))
    assert keep_participation(now=BASE + datetime.timedelta(minutes=40)) is None
    # A run that died frees its claim after half an hour.
    assert keep_participation(now=BASE + datetime.timedelta(hours=2)) == first


@pytest.mark.django_db
def test_a_view_asked_for_is_worked_out_live_then_kept_and_dropped_when_unused(settings):
    departments = random_organisation(random.Random(11), people=12)
    asked = []
    tz = zoneinfo.ZoneInfo("Asia/Kolkata")
    period = Period(start=datetime.date(2025, 2, 3), end=datetime.date(2025, 9, 30))
    figures, kept = dashboard_figures(choice="custom", period=period, tz=tz, department=departments[0],
                                      now=BASE, enqueue=lambda *args: asked.append(args))
    assert kept is None
    assert figures == participation(now=BASE, period=period, tz=tz, department=departments[0])
    # Queued only once the request is over: looking at the page writes nothing itself.
    assert asked == []
    with time_machine.travel(BASE, tick=False):
        tasks.keep_participation_view("custom:2025-02-03:2025-09-30", "Asia/Kolkata", departments[0].pk)
    figures, kept = dashboard_figures(choice="custom", period=period, tz=tz, department=departments[0],
                                      now=BASE, enqueue=lambda *args: asked.append(args))
    assert kept is not None and not kept.behind and kept.participation == figures
    # From now on the run keeps it, in that timezone too, until nobody has asked for it for 30 days.
    later = BASE + days(2)
    keep_participation(now=later, everything=True)
    assert ParticipationSnapshot.objects.filter(timezone="Asia/Kolkata", view="12m").exists()
    keep_participation(now=BASE + days(31), everything=True)
    assert not ParticipationSnapshot.objects.filter(view__startswith="custom:").exists()
    # The presets kept in that timezone since `later` go too once nobody has asked from it for as long.
    keep_participation(now=later + days(31), everything=True)
    assert not ParticipationSnapshot.objects.filter(timezone="Asia/Kolkata").exists()
    assert ParticipationSnapshot.objects.filter(view="12m", timezone=settings.DEFAULT_PERSON_TIMEZONE).exists()


def _kept_equals_live(department=None):
    tz = zoneinfo.ZoneInfo("Europe/London")
    snapshot = ParticipationSnapshot.objects.get(view="12m", timezone="Europe/London",
                                                 scope="all" if department is None else str(department.pk))
    period = Period(start=snapshot.period_start, end=snapshot.period_end)
    kept = kept_participation(view="12m", period=period, tz=tz, department=department)
    assert kept.participation == participation(now=snapshot.worked_out_at, period=period, tz=tz,
                                               department=department)
    return snapshot


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_the_figures_through_bookings_completions_cancellations_moves_leavers_and_erasure(
        celery_live_worker, settings):
    settings.DEFAULT_PERSON_TIMEZONE = "Europe/London"
    rng = random.Random(5)
    departments = random_organisation(rng, people=20, now=timezone.now())
    hr = make_hr(PersonFactory(department=departments[0]))
    managers = list(Person.objects.filter(reports__isnull=False).distinct())
    employee = Person.objects.filter(manager__isnull=False, department__isnull=False, is_active=True).exclude(
        pk__in=[m.pk for m in managers])[0]
    partner = employee.manager
    AvailabilityFactory(person=partner)
    weekday_windows(partner, start=datetime.time(0), end=datetime.time(23, 30))
    partner.timezone = "UTC"
    partner.save()
    now = timezone.now()

    def kept_after(change):
        change()
        counted = changes_so_far()
        tasks.keep_participation.delay()  # what beat sends every minute
        scopes = {"all", str(employee.department_id)}
        wait_until(lambda: ParticipationSnapshot.objects.filter(view="12m", scope__in=scopes, timezone="Europe/London",
                                                                changes__gte=counted).count() == len(scopes),
                   timeout=60, what="the figures kept after the change")
        _kept_equals_live()
        _kept_equals_live(employee.department)

    slot = (now + days(2)).replace(hour=10, minute=0, second=0, microsecond=0)
    booked = {}
    kept_after(lambda: booked.setdefault("it", booking.book_conversation(employee=employee, partner=partner,
                                                                         starts_at=slot, now=now)))
    held = Conversation.objects.filter(employee=employee, status="confirmed", starts_at__lt=now).first() or \
        ConversationFactory(employee=employee, partner=partner, starts_at=now - days(1))
    kept_after(lambda: mark_held(conversation=held, outcome=Conversation.Status.COMPLETED, now=timezone.now()))
    kept_after(lambda: booking.cancel_conversation(conversation=booked["it"], by=employee, reason="Clash",
                                                   now=timezone.now()))
    kept_after(lambda: set_manager(person=employee, manager=rng.choice([m for m in managers if m != partner])))
    leaver = Person.objects.filter(is_active=True, reports__isnull=True).exclude(pk__in=[employee.pk, hr.pk])[0]
    kept_after(lambda: mark_left(person=leaver, today=timezone.now().date(), now=timezone.now()))
    leaver.refresh_from_db()
    kept_after(lambda: erase_person(person=leaver, erased_by=hr.user, now=timezone.now()))
    assert ParticipationSnapshot.objects.filter(timezone="Europe/London").count() == len(PRESETS) * (
        1 + _departments_with_people())


@pytest.mark.django_db
def test_the_dashboard_reads_kept_figures_and_says_how_fresh_they_are(client, django_assert_max_num_queries):
    departments = random_organisation(random.Random(3), people=15, now=timezone.now())
    hr = make_hr(PersonFactory(department=departments[0], timezone="Europe/London"))
    client.force_login(hr.user)
    url = reverse("conversations:participation")
    response = client.get(url)
    assert "Worked out just now for this view" in response.content.decode()

    tasks.keep_participation_view("12m", "Europe/London", None)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    page = response.content.decode()
    assert response.context["kept"] is not None
    assert "kept up to date in the background" in page and "nothing has changed since" in page
    ConversationFactory(employee=hr, starts_at=timezone.now() + days(3))
    page = client.get(url).content.decode()
    assert "changes made since are being added" in page
    kept = response.context["participation"] if (response := client.get(url)) else None
    csv = client.get(reverse("conversations:participation_csv")).content.decode()
    assert f"Everyone,All departments,{kept.headline.active}," in csv


@pytest.mark.django_db
def test_rebuild_participation_works_out_every_view_and_refuses_a_bad_date(capsys, settings):
    settings.DEFAULT_PERSON_TIMEZONE = "Europe/London"
    random_organisation(random.Random(9), people=10)
    call_command("rebuild_participation")
    assert f"Worked out {len(PRESETS) * (1 + _departments_with_people())} views" in capsys.readouterr().out
    call_command("rebuild_participation", "--since", timezone.now().date().isoformat())
    # Last calendar year ended before today: only the four periods that run to today.
    assert f"Worked out {4 * (1 + _departments_with_people())} views" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a date"):
        call_command("rebuild_participation", "--since", "yesterday")
