"""The image and the proxy, without Docker: the Dockerfile's collectstatic step run with the build's environment,
what .dockerignore keeps out of the build context, and the Caddyfile validated by Caddy itself."""

import fnmatch
import os
import shutil
import subprocess

from tests.careerconv.deploy.stack import ROOT, build_static_files, dockerfile_env


def ignored(path, patterns):
    """Docker's rule: the last pattern that matches a path (or one of its parent folders) decides."""
    verdict = False
    parts = path.split("/")
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        candidates = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatch(candidate, pattern) or fnmatch.fnmatch(candidate, pattern.replace("**/", ""))
               for candidate in candidates):
            verdict = not negate
    return verdict


def test_dockerignore_keeps_secrets_local_state_and_history_out_of_the_image():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

    for path in [".env", ".env.production", "var/careerconv.sqlite3", "var/mail/1.eml", ".git/config",
                 ".venv/bin/python", "people/__pycache__/models.cpython-311.pyc"]:
        assert ignored(path, patterns), path
    for path in ["manage.py", "careerconv/settings.py", "requirements.txt", ".env.example", "Caddyfile"]:
        assert not ignored(path, patterns), path


def test_the_build_collects_static_files_with_the_build_environment_only(tmp_path):
    result = build_static_files(tmp_path / "staticfiles", tmp_path / "var")

    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles" / "staticfiles.json").read_text()
    assert '"css/app.css"' in manifest
    assert dockerfile_env()["STATIC_ROOT"] == "/app/staticfiles"


def test_the_image_runs_as_an_unprivileged_user_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("FROM python:3.11")
    assert "USER careerconv" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert '"gunicorn", "careerconv.wsgi"' in dockerfile


def test_caddy_accepts_the_caddyfile(tmp_path):
    caddy = shutil.which("caddy")
    assert caddy, "caddy is not installed (.ci/run installs Debian's package)"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "SITE_DOMAIN": "careers.example.com"}

    adapted = subprocess.run([caddy, "adapt", "--adapter", "caddyfile", "--config", str(ROOT / "Caddyfile")],
                             env=env, capture_output=True, text=True, timeout=60)

    assert adapted.returncode == 0, adapted.stderr
    assert '"careers.example.com"' in adapted.stdout
    assert '"dynamic_upstreams"' in adapted.stdout and '"name":"web"' in adapted.stdout
    assert '"X-Request-Id"' in adapted.stdout or '"X-Request-ID"' in adapted.stdout
