"""Settings for the test suite: the application's settings with test-only defaults for what the environment
leaves unset. DATABASE_URL and REDIS_URL pass through, so CI runs the suite on PostgreSQL and Redis."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

_base = Path(__file__).resolve().parent.parent
# Under pytest-xdist each worker (gw0, gw1, …) gets a Redis database and a var folder of its own, so that the Celery
# queues, caches and mail files of tests running side by side never mix. PostgreSQL test databases are already
# one per worker (pytest-django suffixes their names).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    _index = int(_worker[2:])
    if os.environ.get("REDIS_URL"):
        _redis = urlsplit(os.environ["REDIS_URL"])
        _database = int(_redis.path.strip("/") or 0) + _index
        os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_database}"))
    os.environ.setdefault("CAREERCONV_VAR_DIR", str(_base / "var" / "test" / _worker))
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("SECURE_SSL", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CAREERCONV_VAR_DIR", str(_base / "var" / "test"))
os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CONN_MAX_AGE", "0")
# A fresh key for each run; set in the environment so that processes the tests start read with the same key.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())

from careerconv.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline unless a test starts a real worker (tests/celery_worker.py turns this off for it).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = os.environ.get("AXES_ENABLED", "true") == "true"
# The tests' calendar servers (Radicale, a local HTTP server) listen on 127.0.0.1.
CALENDAR_ALLOW_LOCAL_ADDRESSES = True
