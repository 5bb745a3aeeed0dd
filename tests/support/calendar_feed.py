"""A small HTTP server on 127.0.0.1 that answers a calendar subscription address as each test tells it to."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


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
