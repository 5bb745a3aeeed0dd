"""Participation figures kept, so that the dashboard reads them instead of working them out on every request.

At a large organisation the figures take seconds to work out from every conversation (figures.py), and HR pays
that on each load and each change of filter. They change only when something they count changes, or when the day
moves on. So each view of the dashboard that people use (a period, the viewer's timezone, all departments or one)
is worked out in the background and kept as a `ParticipationSnapshot`, whole: the headline, both breakdowns and
the trend, exactly as participation() gave them at `worked_out_at`.

Why whole views rather than summable monthly facts: the median gap between conversations cannot be added up from
monthly parts, periods start on any day in the viewer's calendar, and status figures are judged in each person's
own. Kept views give the live computation's figures exactly, for every period, with one read.

What keeps them current:
- every write to a table the figures read bumps a change counter (database triggers, so that bulk updates, the
  admin, SCIM and imports are all seen; see migration 0012);
- Celery beat runs keep_participation() every minute: when the counter has moved, or a kept view is older than
  MAX_AGE, or the day has moved on in its timezone, the views in use are worked out again, one run at a time;
- a view nobody has asked for yet (a custom period, another timezone, a new department) is worked out live for the
  request that asks, and kept from then on; views nobody has asked for in UNUSED_DAYS are dropped;
- `manage.py rebuild_participation` works out every view at once.
"""

import dataclasses
import datetime
import logging
import time
import zoneinfo
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from conversations.models import ParticipationKeeper, ParticipationSnapshot
from conversations.participation.figures import (
    PRESETS,
    Figures,
    Group,
    Participation,
    Period,
    TrendMonth,
    participation,
    period_for,
)
from people.models import Department

logger = logging.getLogger(__name__)

EVERY_DEPARTMENT = "all"
# A kept view older than this is worked out again even if nothing changed: status figures move with the clock
# (a booked conversation's start passes, an hour reaches someone's midnight).
MAX_AGE = datetime.timedelta(minutes=settings.PARTICIPATION_MAX_AGE_MINUTES)
UNUSED_DAYS = 30
# A run that died (worker killed) frees its claim after this long.
CLAIM_TIMEOUT = datetime.timedelta(minutes=30)
CHANGE_SEQUENCE = "participation_changes"


def changes_so_far():
    """How many writes the figures' tables have had: compared before and after, it says whether anything changed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {CHANGE_SEQUENCE}")
        else:
            cursor.execute(f"SELECT changes FROM {ParticipationKeeper._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def scope_of(department):
    return EVERY_DEPARTMENT if department is None else str(department.pk)


def _encode(result):
    return dataclasses.asdict(result) | {
        "period": {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()},
        "as_of": result.as_of.isoformat(),
        "trend": [{**dataclasses.asdict(month), "month": month.month.isoformat()} for month in result.trend],
    }


def _decode(data):
    def groups(rows):
        return [Group(kind=row["kind"], key=row["key"], name=row["name"], figures=Figures(**row["figures"]))
                for row in rows]

    return Participation(
        period=Period(start=datetime.date.fromisoformat(data["period"]["start"]),
                      end=datetime.date.fromisoformat(data["period"]["end"])),
        as_of=datetime.datetime.fromisoformat(data["as_of"]),
        headline=Figures(**data["headline"]),
        departments=groups(data["departments"]),
        managers=groups(data["managers"]),
        trend=[TrendMonth(**{**month, "month": datetime.date.fromisoformat(month["month"])})
               for month in data["trend"]],
    )


@dataclasses.dataclass
class Kept:
    """A view's figures as kept, and how fresh they are."""

    participation: Participation
    worked_out_at: datetime.datetime
    requested_at: datetime.datetime
    behind: bool  # something has changed since they were worked out (the next run adds it)

    @property
    def minutes_old(self):
        return (timezone.now() - self.worked_out_at).total_seconds() // 60


def kept_participation(*, view, period, tz, department):
    """The kept figures of a view of the dashboard, or None when that view is not kept for this period yet."""
    snapshot = ParticipationSnapshot.objects.filter(
        view=view, timezone=str(tz), scope=scope_of(department), period_start=period.start, period_end=period.end,
    ).first()
    if snapshot is None:
        return None
    return Kept(participation=_decode(snapshot.figures), worked_out_at=snapshot.worked_out_at,
                requested_at=snapshot.requested_at, behind=changes_so_far() > snapshot.changes)


def view_name(choice, period):
    """The name a view is kept under: the preset's, or the custom period's dates."""
    return choice if choice in PRESETS else f"custom:{period.start.isoformat()}:{period.end.isoformat()}"


def _period_of(view, today):
    if view in PRESETS:
        return period_for(view, today=today)
    _, start, end = view.split(":")
    return Period(start=datetime.date.fromisoformat(start), end=datetime.date.fromisoformat(end))


def keep_view(*, view, tz, department, now, requested=False):
    """Work out one view's figures at `now` and keep them (replacing what was kept for it)."""
    changes = changes_so_far()
    period = _period_of(view, now.astimezone(tz).date())
    started = time.perf_counter()
    result = participation(now=now, period=period, tz=tz, department=department)
    took_ms = round((time.perf_counter() - started) * 1000)
    values = {"department": department, "period_start": period.start, "period_end": period.end,
              "worked_out_at": now, "changes": changes, "took_ms": took_ms, "figures": _encode(result)}
    if requested:
        values["requested_at"] = now
    snapshot, _ = ParticipationSnapshot.objects.update_or_create(
        view=view, timezone=str(tz), scope=scope_of(department),
        defaults=values, create_defaults={**values, "requested_at": now},
    )
    return snapshot


def views_in_use(*, now):
    """Every preset for every department, in each timezone someone has asked from lately (and the organisation's
    default), and the custom periods asked for lately."""
    recent = ParticipationSnapshot.objects.filter(requested_at__gte=now - datetime.timedelta(days=UNUSED_DAYS))
    zones = {settings.DEFAULT_PERSON_TIMEZONE, *recent.values_list("timezone", flat=True)}
    departments = [None, *Department.objects.filter(people__isnull=False).distinct().order_by("name")]
    views = [(view, zone, department) for zone in sorted(zones) for view in PRESETS for department in departments]
    by_pk = {department.pk: department for department in departments if department is not None}
    for view, zone, department_id in recent.filter(view__startswith="custom:").values_list(
            "view", "timezone", "department_id"):
        if department_id is None or department_id in by_pk:
            views.append((view, zone, by_pk.get(department_id)))
    return views


def _claim(now):
    ParticipationKeeper.objects.get_or_create(pk=1)
    return ParticipationKeeper.objects.filter(pk=1).filter(
        Q(running_since__isnull=True) | Q(running_since__lt=now - CLAIM_TIMEOUT)
    ).update(running_since=now) == 1


def _due(snapshots, *, view, zone, department, now, changes):
    snapshot = snapshots.get((view, zone, scope_of(department)))
    if snapshot is None or snapshot.changes < changes or snapshot.worked_out_at < now - MAX_AGE:
        return True
    # The day moved on in the view's timezone: its presets now cover another period.
    return snapshot.worked_out_at.astimezone(zoneinfo.ZoneInfo(zone)).date() != now.astimezone(
        zoneinfo.ZoneInfo(zone)).date()


def keep_participation(*, now, everything=False, since=None):
    """Work out again the views in use that are out of date (all of them with `everything`), one run at a time.
    Returns how many views were worked out, or None when another run holds the claim."""
    if not _claim(now):
        return None
    try:
        changes = changes_so_far()
        snapshots = {(s.view, s.timezone, s.scope): s for s in ParticipationSnapshot.objects.all()}
        kept = 0
        views = views_in_use(now=now)
        for view, zone, department in views:
            if since is not None and _period_of(view, now.astimezone(zoneinfo.ZoneInfo(zone)).date()).end < since:
                continue
            if everything or _due(snapshots, view=view, zone=zone, department=department, now=now, changes=changes):
                keep_view(view=view, tz=zoneinfo.ZoneInfo(zone), department=department, now=now)
                kept += 1
        # Presets stay kept in the timezones still in use; anything else nobody has asked for lately goes.
        ParticipationSnapshot.objects.filter(requested_at__lt=now - datetime.timedelta(days=UNUSED_DAYS)).exclude(
            view__in=PRESETS, timezone__in={zone for _, zone, _ in views}).delete()
        return kept
    finally:
        ParticipationKeeper.objects.filter(pk=1).update(running_since=None)


def requested_view(*, view, tz, department, now):
    """Someone asked for this view: keep it in use (and work it out now if what is kept is out of date)."""
    period = _period_of(view, now.astimezone(tz).date())
    kept = ParticipationSnapshot.objects.filter(view=view, timezone=str(tz), scope=scope_of(department)).first()
    if kept is None or (kept.period_start, kept.period_end) != (period.start, period.end) or _due(
            {(view, str(tz), kept.scope): kept}, view=view, zone=str(tz), department=department, now=now,
            changes=changes_so_far()):
        return keep_view(view=view, tz=tz, department=department, now=now, requested=True)
    ParticipationSnapshot.objects.filter(pk=kept.pk).update(requested_at=now)
    return kept


def dashboard_figures(*, choice, period, tz, department, now, enqueue):
    """The dashboard's figures for a view: the kept ones when that view is kept for this period, else worked out
    live for this request, with `enqueue(view, timezone, department_id)` asking a worker to keep the view.
    Returns (participation, Kept or None)."""
    view = view_name(choice, period)
    kept = kept_participation(view=view, period=period, tz=tz, department=department)
    if kept is None or kept.requested_at < now - datetime.timedelta(days=1):
        # After the request, on a worker: looking at the page writes nothing itself.
        transaction.on_commit(partial(_ask_to_keep, enqueue, view, str(tz),
                                      None if department is None else department.pk))
    if kept is None:
        return participation(now=now, period=period, tz=tz, department=department), None
    return kept.participation, kept


def _ask_to_keep(enqueue, view, zone, department_id):
    try:
        enqueue(view, zone, department_id)
    except Exception:  # noqa: BLE001 - kombu and redis raise many kinds; the presets are kept by beat regardless
        logger.warning("could not queue the keeping of participation view %s", view, exc_info=True)
