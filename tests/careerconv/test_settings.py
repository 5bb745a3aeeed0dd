"""Settings come from the environment; each case runs Django in a fresh process with only that environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "careers.example.com",
    "DATABASE_URL": "postgres://careerconv:secret@db.internal:5432/careerconv",
    "REDIS_URL": "redis://cache.internal:6379/2",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
    "FIELD_ENCRYPTION_KEYS": "pEmvvY1Rr7IRnbKcnjUV5yzE2o9EqvQbkVJpUvdc3-A=,"
                             "CPeVzYBPIhDUTKcZU0ahr3a7ayoPY9OyFrVkUyUlwH8=",
}
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
    "engine": settings.DATABASES["default"]["ENGINE"], "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_host": settings.DATABASES["default"].get("HOST", ""), "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS, "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST, "email_port": settings.EMAIL_PORT, "email_tls": settings.EMAIL_USE_TLS,
    "email_path": settings.EMAIL_FILE_PATH, "secure_cookies": settings.SESSION_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


def run(args, env, tmp_path):
    clean = {key: value for key, value in os.environ.items()
             if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL",
                            "SECURE_SSL", "STATICFILES_STORAGE", "DJANGO_SETTINGS_MODULE",
                            "DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_KEYS"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "careerconv.settings", "CAREERCONV_VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def probe(env, tmp_path):
    result = run(["-c", PROBE], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_reports_nothing_with_a_production_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], PRODUCTION, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_come_from_the_environment(tmp_path):
    settings = probe(PRODUCTION, tmp_path)

    assert settings["debug"] is False
    assert settings["hosts"] == ["careers.example.com"]
    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["db_name"], settings["db_host"]) == ("careerconv", "db.internal")
    assert settings["broker"] == "redis://cache.internal:6379/2"
    assert settings["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["email_host"], settings["email_port"], settings["email_tls"]) == ("smtp.example.com", 587, True)
    assert settings["secure_cookies"] is True
    assert settings["hsts"] == 31536000


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    env = {**PRODUCTION}
    del env["SECRET_KEY"]

    result = run(["manage.py", "check"], env, tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_encryption_keys_production_refuses_to_start(tmp_path):
    env = dict(PRODUCTION)
    del env["FIELD_ENCRYPTION_KEYS"]

    result = run(["manage.py", "check"], env, tmp_path)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


def test_a_malformed_encryption_key_stops_the_start_and_says_which_one(tmp_path):
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": "pEmvvY1Rr7IRnbKcnjUV5yzE2o9EqvQbkVJpUvdc3-A=,not-a-key"}

    result = run(["manage.py", "check"], env, tmp_path)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet key" in result.stderr


def test_encryption_keys_are_read_in_order_the_first_one_encrypting(tmp_path):
    result = run(["-c", "import django; from django.conf import settings; django.setup(); "
                        "print(settings.FIELD_ENCRYPTION_KEYS)"], PRODUCTION, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("['pEmvvY1Rr7IRnbKcnjUV5yzE2o9EqvQbkVJpUvdc3-A=', "
                                     "'CPeVzYBPIhDUTKcZU0ahr3a7ayoPY9OyFrVkUyUlwH8=']")


def test_the_embedded_default_needs_no_server(tmp_path):
    settings = probe({"DEBUG": "true"}, tmp_path)

    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["db_name"] == str(tmp_path / "careerconv.sqlite3")
    assert settings["broker"] == "filesystem://"
    assert settings["broker_options"]["data_folder_in"] == str(tmp_path / "celery" / "queue")
    assert (tmp_path / "celery" / "queue").is_dir() and (tmp_path / "celery" / "control").is_dir()
    assert settings["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert settings["email_path"] == str(tmp_path / "mail")
    assert settings["hosts"] == ["127.0.0.1", "localhost"]
    assert settings["secure_cookies"] is False
