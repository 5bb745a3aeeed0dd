"""The compose stack, run on this host as a deployment engineer would exercise it (no Docker engine here): the
static files built by the Dockerfile's step, an operator's .env (a password holding @ : / #), migrate first, then
web, two worker replicas and beat, with Caddy serving https in front of web; each health check passes while its
service is up and fails once it is down; a conversation booked through https reaches the SMTP sink, sent by a
worker.

PostgreSQL is the shared server on 127.0.0.1:5432 with a database and role of this test's own; Redis is a
redis-server of its own on a free port (this test stops it); Caddy is Debian's package. Everything listens on
127.0.0.1 and is stopped at the end."""

import json
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import urlsplit

import psycopg2
import pytest
import requests
from cryptography.fernet import Fernet

from tests.careerconv.deploy.stack import (
    LOCAL,
    ROOT,
    Stack,
    build_static_files,
    dockerfile_env,
    free_port,
    start_process,
    stop_process,
)
from tests.support.smtp_server import SMTPServer
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Of this run only: the role is cluster-wide, and another checkout may run the suite on the same server.
DATABASE = f"careerconv_stack_{os.getpid()}"
ROLE = f"careerconv_stack_{os.getpid()}"
# Each character that breaks a database URL when pasted into one raw.
PASSWORD = "p@ss:w/rd#1"
EMPLOYEE_PASSWORD = "a-long-employee-password-42"

SEED = f"""
import json, django
django.setup()
from django.utils import timezone
from conversations.availability import free_slots
from tests.support.factories import AvailabilityFactory, PersonFactory, weekday_windows
manager = PersonFactory(user__username="maya", user__email="maya@example.com", job_title="Engineering Manager")
employee = PersonFactory(user__username="eli", user__email="eli@example.com", manager=manager)
employee.user.set_password("{EMPLOYEE_PASSWORD}")
employee.user.save()
AvailabilityFactory(person=manager)
weekday_windows(manager)
slot = free_slots(partner=manager, employee=employee, now=timezone.now())[0]
print(json.dumps({{"manager": manager.pk, "slot": slot.key}}))
"""


def admin_connection():
    url = urlsplit(os.environ["DATABASE_URL"])
    assert url.hostname in (LOCAL, "localhost"), "the stack test runs against a database on 127.0.0.1 only"
    connection = psycopg2.connect(dbname="postgres", user=url.username, password=url.password, host=url.hostname,
                                  port=url.port or 5432)
    connection.autocommit = True
    return connection, url.port or 5432


@pytest.fixture
def stack_database():
    """A database owned by a role whose password holds @ : / #, as the db service would create them."""
    connection, port = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'DROP ROLE IF EXISTS "{ROLE}"')
        cursor.execute(f'CREATE ROLE "{ROLE}" LOGIN PASSWORD %s', [PASSWORD])
        cursor.execute(f'CREATE DATABASE "{DATABASE}" OWNER "{ROLE}"')
    yield port
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'DROP ROLE IF EXISTS "{ROLE}"')
    connection.close()


@pytest.fixture
def private_redis(tmp_path):
    port = free_port()
    process = start_process([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
                             "--bind", LOCAL, "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                            log_path=tmp_path / "redis.log")
    wait_until(lambda: requests_ok_redis(port), timeout=15, what="redis-server")
    yield process, port
    stop_process(process)


def requests_ok_redis(port):
    import redis

    try:
        return redis.Redis(host=LOCAL, port=port, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def health(base, **kwargs):
    return requests.get(f"{base}/healthz", timeout=10, **kwargs)


def test_the_compose_stack_serves_https_reports_health_and_sends_invitations_from_a_worker(
        tmp_path, stack_database, private_redis):
    redis_process, redis_port = private_redis
    web_port, https_port, http_port, admin_port = free_port(), free_port(), free_port(), free_port()
    image = tmp_path / "image"
    static_root = image / "staticfiles"

    # The image's build step, with the build's environment.
    built = build_static_files(static_root, image / "var")
    assert built.returncode == 0, built.stderr
    assert (static_root / "staticfiles.json").exists()

    with SMTPServer() as smtp:
        # The operator's .env, as .env.example asks for it.
        dotenv = tmp_path / ".env"
        dotenv.write_text("\n".join([
            "SITE_DOMAIN=localhost",
            f"SITE_URL=https://localhost:{https_port}",
            "SECRET_KEY=stack-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
            f"POSTGRES_PASSWORD={PASSWORD}",
            f"POSTGRES_USER={ROLE}",
            f"POSTGRES_DB={DATABASE}",
            f"EMAIL_URL=smtp://{LOCAL}:{smtp.port}",
            "DEFAULT_FROM_EMAIL=careerconv <careerconv@example.com>",
            f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}",
            "ORGANISATION_NAME=Stack Test Ltd",
            "",
        ]))
        containers = tmp_path / "containers"
        stack = Stack(dotenv=dotenv, workdir=tmp_path,
                      hosts={"db": (LOCAL, stack_database, 5432), "redis": (LOCAL, redis_port, 6379),
                             "web": (LOCAL, web_port, 8000)},
                      image_env={**dockerfile_env(), "STATIC_ROOT": str(static_root)},
                      container_paths={"/app/var": containers / "var", "/app/staticfiles": static_root})
        caddy = None
        try:
            web_env = stack.environment("web", hostname="web-1")
            # The password reached the settings as written, not through a URL.
            assert (web_env["POSTGRES_USER"], web_env["POSTGRES_PASSWORD"]) == (ROLE, PASSWORD)

            # 1. migrate first; the others start only after it completed successfully.
            assert stack.run("migrate", timeout=180) == 0, stack.log("migrate")
            seeded = stack_python(stack, SEED)

            # 2. web, two worker replicas (each container has its own host name), beat.
            stack.start("web")
            for replica in ("worker-1", "worker-2"):
                stack.start("worker", name=replica, hostname=replica, extra_args=["--hostname", f"celery@{replica}"])
            stack.start("beat")
            wait_until(lambda: stack.healthcheck("web"), timeout=60, what="web's health check")
            for replica in ("worker-1", "worker-2"):
                wait_until(lambda r=replica: stack.healthcheck(r), timeout=60, what=f"{replica}'s health check")
            wait_until(lambda: stack.healthcheck("beat"), timeout=60, what="beat's health check")

            # 3. Caddy in front, with the repository's Caddyfile: https from its local CA for localhost.
            caddy_home = tmp_path / "caddy"
            caddy = start_process(
                [shutil.which("caddy") or "/usr/bin/caddy", "run", "--adapter", "caddyfile", "--config",
                 str(ROOT / "Caddyfile")],
                log_path=tmp_path / "caddy.log",
                env={"PATH": os.environ["PATH"], "HOME": str(caddy_home), "XDG_DATA_HOME": str(caddy_home / "data"),
                     "XDG_CONFIG_HOME": str(caddy_home / "config"), "SITE_DOMAIN": "localhost",
                     "HTTP_PORT": str(http_port), "HTTPS_PORT": str(https_port),
                     "CADDY_ADMIN": f"{LOCAL}:{admin_port}", "WEB_HOST": LOCAL, "WEB_PORT": str(web_port)})
            root_ca = caddy_home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
            base = f"https://localhost:{https_port}"
            wait_until(lambda: root_ca.exists() and https_ok(base, root_ca), timeout=60, what="Caddy serving https")

            # 4. /healthz through https, and straight to gunicorn over http with any Host header.
            public = health(base, verify=str(root_ca))
            assert public.status_code == 200
            assert public.headers["X-Request-ID"]
            report = public.json()
            assert (report["status"], report["database"], report["broker"]) == ("ok", "ok", "ok")
            assert report["beat_run"]["at"] is not None
            assert set(report) == {"status", "database", "broker", "worker_heartbeat", "beat_run"}
            direct = requests.get(f"http://{LOCAL}:{web_port}/healthz", headers={"Host": "not-a-host.example"},
                                  timeout=10, allow_redirects=False)
            assert direct.status_code == 200
            # Any other page over plain http goes to https; through Caddy it is served.
            assert requests.get(f"http://{LOCAL}:{web_port}/accounts/login/", headers={"Host": "localhost"},
                                timeout=10, allow_redirects=False).status_code == 301
            static = requests.get(f"{base}/static/css/app.css", verify=str(root_ca), timeout=10)
            assert static.status_code == 200  # by whitenoise, from the files the image build collected

            # 5. An employee signs in and books through https; a worker sends the invitation to the SMTP sink.
            browser = requests.Session()
            browser.trust_env = False  # a CA bundle named in the environment would win over verify= below
            browser.verify = str(root_ca)
            browser.headers["Referer"] = f"{base}/"
            browser.get(f"{base}/accounts/login/", timeout=10)
            signed_in = browser.post(f"{base}/accounts/login/", timeout=10, data={
                "username": "eli", "password": EMPLOYEE_PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
            assert signed_in.url == f"{base}/", signed_in.text[:500]
            confirm = f"{base}/conversations/book/{seeded['manager']}/confirm/"
            assert browser.get(confirm, params={"start": seeded["slot"]}, timeout=10).status_code == 200
            booked = browser.post(confirm, timeout=20, data={
                "starts_at": seeded["slot"], "kind": "standalone", "location": "Room 4",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
            assert "Booked: your career conversation" in booked.text
            messages = wait_until(lambda: smtp.messages if len(smtp.messages) >= 2 else None, timeout=60,
                                what="the invitations at the SMTP sink")
            recipients = sorted(address for to, _data in messages for address in to)
            assert recipients == ["eli@example.com", "maya@example.com"]
            assert all(f"https://localhost:{https_port}/" in data for _to, data in messages)
            worker_logs = stack.log("worker-1") + stack.log("worker-2")
            assert "conversations.send_conversation_invitation" in worker_logs
            assert "send_conversation_invitation" not in stack.log("web")
            # Logs: one JSON object per line, the request's lines carrying its id.
            web_lines = [json.loads(line) for line in stack.log("web").splitlines() if line.strip()]
            assert any(line.get("path") == "/healthz" and line["request_id"] != "-" for line in web_lines)
            # The worker's lines too, but for Python's warning that it runs as root, which only this host does
            # (the image runs as an unprivileged user).
            worker_log = stack.log("worker-1")
            worker_lines = [line for line in worker_log[worker_log.find("{"):].splitlines() if line.strip()]
            assert len(worker_lines) >= 3 and all(json.loads(line)["logger"] for line in worker_lines)

            # 6. The worker heartbeat scheduled by beat (every 30 s) is reported.
            wait_until(lambda: health(base, verify=str(root_ca)).json()["worker_heartbeat"]["at"], timeout=45,
                     what="a worker heartbeat in /healthz")

            # 7. Down means unhealthy. One worker stopped: its own check fails, the other's still passes, quickly.
            stack.stop("worker-2")
            assert not stack.healthcheck("worker-2")
            started = time.monotonic()
            assert stack.healthcheck("worker-1")
            assert time.monotonic() - started < 5, "the check waited for answers from other workers"

            # Beat stopped and its last run two minutes old or more: its check fails.
            stack.stop("beat")
            stack_python(stack, "import django; django.setup(); import datetime; "
                                "from careerconv.models import BeatRun; "
                                "BeatRun.objects.update(ran_at=BeatRun.objects.get().ran_at "
                                "- datetime.timedelta(minutes=3)); print('{}')")
            assert not stack.healthcheck("beat")

            # Redis stopped: /healthz answers 503 and says the broker is down; web's check fails.
            stop_process(redis_process)
            unavailable = requests.get(f"http://{LOCAL}:{web_port}/healthz", timeout=15)
            assert unavailable.status_code == 503
            assert (unavailable.json()["broker"], unavailable.json()["database"]) == ("down", "ok")
            assert not stack.healthcheck("web")

            # Web stopped: its check fails.
            stack.stop("web")
            assert not stack.healthcheck("web")
        finally:
            if caddy is not None:
                stop_process(caddy)
            stack.close()


def https_ok(base, root_ca):
    try:
        return requests.get(f"{base}/healthz", verify=str(root_ca), timeout=5).status_code == 200
    except requests.RequestException:
        return False


def stack_python(stack, code):
    """Run Python in the web service's environment (like `docker compose run web python -c …`); its JSON output."""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                            env={**stack.environment("web", hostname="web-run"),
                                 "DJANGO_SETTINGS_MODULE": "careerconv.settings"}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
