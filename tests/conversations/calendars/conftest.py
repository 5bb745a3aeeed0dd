"""Real calendar servers on 127.0.0.1: Radicale (CalDAV) with a temporary storage folder, and a small HTTP server
that answers subscription addresses as each test tells it to."""

import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import caldav
import pytest


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
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("Radicale did not start") from None
            time.sleep(0.1)
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


class Served:
    """What the HTTP server answers: a status, headers and body, or a delay; and the requests it saw."""

    def __init__(self):
        self.status, self.headers, self.body, self.delay = 200, {}, b"", 0.0
        self.requests = []


@pytest.fixture
def feed_server():
    served = Served()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.requests.append(dict(self.headers))
            if served.delay:
                time.sleep(served.delay)
            if served.headers.get("ETag") and self.headers.get("If-None-Match") == served.headers["ETag"]:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(served.status)
            for name, value in served.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(served.body)))
            self.end_headers()
            try:
                self.wfile.write(served.body)
            except OSError:  # the reader gave up (size limit, timeout)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}/calendar.ics"
    yield served
    server.shutdown()
    server.server_close()
