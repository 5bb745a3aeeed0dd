"""Free or busy by bisection: the edges of busy intervals, touching and overlapping ones."""

import datetime

from conversations.availability import Slot
from conversations.calendars.reading import MergedIntervals, microseconds

UTC = datetime.UTC


def outside(busy, slots):
    return [slot for slot in slots if busy.free(microseconds(slot.starts_at), microseconds(slot.ends_at))]


def at(hour, minute=0):
    return datetime.datetime(2027, 3, 2, hour, minute, tzinfo=UTC)


def test_a_slot_is_free_up_to_the_first_instant_of_a_busy_time_and_from_its_last():
    busy = MergedIntervals([(at(10), at(11)), (at(12), at(12, 30)), (at(12, 15), at(13)), (at(13), at(13, 10)),
                            (at(15), at(15, 1))])
    slots = [Slot(at(hour, minute), at(hour, minute) + datetime.timedelta(minutes=30))
             for hour in range(9, 16) for minute in (0, 30)]

    free = [f"{slot.starts_at:%H:%M}" for slot in outside(busy, slots)]

    # 12:00-13:10 is one busy time (overlapping and touching ones joined); 15:00-15:01 blocks the 15:00 slot.
    assert free == ["09:00", "09:30", "11:00", "11:30", "13:30", "14:00", "14:30", "15:30"]


def test_without_busy_times_every_slot_is_free():
    slots = [Slot(at(9), at(9, 30)), Slot(at(9, 30), at(10))]

    assert outside(MergedIntervals([]), slots) == slots
