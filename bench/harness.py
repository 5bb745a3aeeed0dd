"""What the load and fault benchmarks start on 127.0.0.1, and stop again: a fresh PostgreSQL database, gunicorn, a
private redis-server, Celery workers and beat, and an SMTP sink that records what it accepts and when.

Every process is started in its own process group and ended on exit, whatever happens; every wait has a deadline.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCAL = "127.0.0.1"
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
FIELD_ENCRYPTION_KEYS = "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE="


def free_port():
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} not within {timeout} s")


def fresh_database(base_url, suffix):
    """Create an empty PostgreSQL database named after the one in base_url plus a suffix; return its URL."""
    import psycopg2

    parts = urlsplit(base_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (postgres://…)")
    if parts.hostname not in (LOCAL, "localhost"):
        raise SystemExit("the benchmarks run against a database on 127.0.0.1 only")
    name = f"{parts.path.lstrip('/') or 'careerconv'}_{suffix}"
    admin = psycopg2.connect(dbname="postgres", user=parts.username, password=parts.password, host=parts.hostname,
                             port=parts.port or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def django_env(*, database_url, var_dir, redis_url="", email_url="", **extra):
    """The environment of every process of one benchmark: production settings on 127.0.0.1 over plain http."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings", "SECRET_KEY": SECRET_KEY, "DEBUG": "false",
        "FIELD_ENCRYPTION_KEYS": FIELD_ENCRYPTION_KEYS,
        "ALLOWED_HOSTS": f"{LOCAL},localhost", "SECURE_SSL": "false", "DATABASE_URL": database_url,
        "CAREERCONV_VAR_DIR": str(var_dir), "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "REDIS_URL": redis_url, "EMAIL_URL": email_url or "consolemail://", "PYTHONPATH": str(ROOT),
        # Every attempt comes from 127.0.0.1: keep sign-in throttling out of a load test's way.
        "AXES_FAILURE_LIMIT": "100000",
    })
    if not redis_url:
        del env["REDIS_URL"]
    env.update({key: str(value) for key, value in extra.items()})
    return env


def setup_django(env):
    """Configure Django in this process with the benchmark's environment."""
    os.environ.update(env)
    if not env.get("REDIS_URL"):
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Process:
    """A child process in its own process group, ended on exit."""

    running = []

    def __init__(self, name, args, env, log_dir):
        self.name = name
        self.args = [str(arg) for arg in args]
        self.env = env
        self.log_path = Path(log_dir) / f"{name}.log"
        self.popen = None

    def start(self):
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        log.close()
        Process.running.append(self)
        return self

    @property
    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig):
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def kill(self):
        """SIGKILL, no chance to clean up: what a crashed host or the OOM killer does."""
        self.signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self, timeout=15):
        if not self.alive:
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    @classmethod
    def stop_all(cls):
        for process in reversed(cls.running):
            process.stop()
        cls.running.clear()


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def gunicorn(env, *, port, workers, log_dir, threads=1):
    process = Process("gunicorn", [BIN / "gunicorn", "careerconv.wsgi", "--bind", f"{LOCAL}:{port}",
                                   "--workers", workers, "--threads", threads, "--timeout", 60,
                                   "--graceful-timeout", 5], env, log_dir).start()
    wait_for(lambda: http_ok(f"http://{LOCAL}:{port}/healthz"), timeout=60, what="gunicorn")
    return process


def redis_server(*, port, log_dir):
    """A private redis-server (never the shared one), without persistence."""
    process = Process(f"redis-{port}", ["redis-server", "--port", port, "--bind", LOCAL, "--save", "",
                                        "--appendonly", "no"], {**os.environ}, log_dir).start()

    def answers():
        with contextlib.suppress(OSError), socket.create_connection((LOCAL, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    wait_for(answers, timeout=20, what=f"redis-server on port {port}")
    return process


def celery_worker(env, *, name, log_dir, beat=False):
    args = [BIN / "celery", "-A", "careerconv", "worker", "--pool", "solo", "--hostname", f"{name}@%h",
            "--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
    if beat:
        args += ["--beat", "--schedule", Path(env["CAREERCONV_VAR_DIR"]) / f"beat-{name}"]
    return Process(name, args, env, log_dir).start()


# --- SMTP sink --------------------------------------------------------------------------------------------------


@dataclass
class Accepted:
    at: float
    message_id: str
    subject: str
    recipients: tuple
    content: bytes


@dataclass
class SmtpSink:
    """A mail server on 127.0.0.1 that keeps every message it accepts, with the moment it said 250 to it."""

    port: int
    delay: float = 0.0
    messages: list = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        content = envelope.original_content or envelope.content
        parsed = message_from_bytes(content)
        with self._lock:
            self.messages.append(Accepted(at=time.time(), message_id=parsed.get("Message-ID", ""),
                                          subject=" ".join(str(parsed.get("Subject", "")).split()),
                                          recipients=tuple(envelope.rcpt_tos), content=content))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=LOCAL, port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()

    def snapshot(self):
        with self._lock:
            return list(self.messages)

    @property
    def url(self):
        return f"smtp://{LOCAL}:{self.port}"


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def figures_line(figures):
    return " ".join(f"{key}={value}" for key, value in figures.items())


def wrk(url, *, cookie, seconds, connections, threads=2):
    """Requests per second and non-2xx answers of wrk against one URL."""
    result = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                             "-H", f"Cookie: {cookie}", url], capture_output=True, text=True,
                            timeout=seconds + 60, check=True)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", result.stdout)
    return rps, int(non_2xx.group(1)) if non_2xx else 0, int(errors.group(1)) if errors else 0
