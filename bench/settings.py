"""The application's settings, with one extra page for the benchmarks to compare against (see bench/urls.py)."""

from careerconv.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
