"""Real calendar servers on 127.0.0.1: Radicale (CalDAV) with a temporary storage folder, and a small HTTP server
that answers subscription addresses as each test tells it to (tests/support/calendar_feed.py)."""

import re
import socket
import subprocess
import sys

import caldav
import pytest

from tests.support.calendar_feed import feed_server  # noqa: F401 (a fixture for the tests here)
from tests.support.waiting import wait_until


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    """The base address of a Radicale server that accepts any user name and password."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}", "--auth-type", "none",
         "--storage-filesystem-folder", str(tmp_path / "collections")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def listening():
        if server.poll() is not None:
            raise RuntimeError("Radicale stopped before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    try:
        wait_until(listening, timeout=20, interval=0.1, what="Radicale listening")
    except AssertionError:
        server.kill()
        raise
    yield f"http://127.0.0.1:{port}/"
    server.terminate()
    server.wait(timeout=10)


def make_calendar(base, *, user, name, events=""):
    """A calendar in the user's account holding the given VTIMEZONEs and VEVENTs (one stored object per UID, as
    CalDAV requires); its URL."""
    calendar = caldav.DAVClient(url=base, username=user, password="unused").principal().make_calendar(name=name)
    blocks = [match.group(0) for match in re.finditer(r"BEGIN:(VEVENT|VTIMEZONE)\n.*?END:\1\n", events, re.S)]
    timezones = "".join(block for block in blocks if block.startswith("BEGIN:VTIMEZONE"))
    by_uid = {}
    for block in blocks:
        if block.startswith("BEGIN:VEVENT"):
            uid = next(line for line in block.splitlines() if line.startswith("UID:"))
            by_uid[uid] = by_uid.get(uid, "") + block
    for vevents in by_uid.values():
        text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//tests//EN\n{timezones}{vevents}END:VCALENDAR\n"
        calendar.add_event(text.replace("\n", "\r\n"))
    return str(calendar.url)
