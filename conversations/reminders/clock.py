"""Each timezone's view of one instant: the local day, whether reminders may go out, and the digest hour.

Times that depend on a person's timezone are computed here once per timezone, in Python, and handed to the
database as constants (see `expressions.per_zone`), so that a sweep costs the same whatever the headcount.
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 9


def sending_hours():
    """(first hour, hour after the last) of the local day in which reminders go out."""
    return settings.REMINDER_SENDING_HOURS


def _local_at(day, hour, tz):
    """The UTC instant of `hour`:00 on a local day (hour 24 is the next midnight). A wall time skipped by a DST
    change counts with the offset from before the change, i.e. as the first real instant after the gap."""
    if hour == 24:
        day, hour = day + datetime.timedelta(days=1), 0
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz).astimezone(datetime.UTC)


@dataclass(frozen=True)
class Clock:
    """One timezone at one instant."""

    tz: zoneinfo.ZoneInfo
    now: datetime.datetime

    @property
    def local(self):
        return self.now.astimezone(self.tz)

    @property
    def today(self):
        return self.local.date()

    @property
    def window_open(self):
        first, last = sending_hours()
        return first <= self.local.hour < last

    def window_start(self, day):
        return _local_at(day, sending_hours()[0], self.tz)

    @property
    def next_window(self):
        """The first instant at or after now at which reminders may go out."""
        if self.window_open:
            return self.now
        first, _ = sending_hours()
        day = self.today if self.local.hour < first else self.today + datetime.timedelta(days=1)
        return self.window_start(day)

    @property
    def tomorrows_window(self):
        """When reminders may go out again once today's e-mail has gone."""
        return self.window_start(self.today + datetime.timedelta(days=1))

    @property
    def week(self):
        """The ISO week of the local date, e.g. 2026-W10: the period of a weekly digest."""
        year, week, _ = self.today.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def digest_time(self):
        """Monday 09:00 local of this ISO week."""
        monday = self.today - datetime.timedelta(days=self.today.weekday() - DIGEST_WEEKDAY)
        return _local_at(monday, DIGEST_HOUR, self.tz)

    @property
    def digest_open(self):
        """From Monday 09:00 local until the week ends, this week's digest is due (late rather than never)."""
        return self.now >= self.digest_time

    @property
    def before_digest(self):
        """Monday before 09:00 local: a manager's reminders wait to go out with their digest."""
        return self.today.weekday() == DIGEST_WEEKDAY and not self.digest_open


def clock_for(timezone_name, *, now):
    """The clock of a timezone, or None for a name that is not a timezone (its people get no reminders)."""
    try:
        return Clock(tz=zoneinfo.ZoneInfo(timezone_name), now=now)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("Unknown timezone %r: people in it get no reminders until it is corrected.", timezone_name)
        return None


def clocks_for(timezone_names, *, now):
    """{timezone name: Clock} for the names that are real timezones."""
    clocks = {}
    for name in timezone_names:
        clock = clock_for(name, now=now)
        if clock is not None:
            clocks[name] = clock
    return clocks
