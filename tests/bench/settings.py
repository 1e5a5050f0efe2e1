"""Settings of the benchmark server: the app's own, plus the bare baseline view's URL.

Only tests/bench/run.py uses this (DJANGO_SETTINGS_MODULE=tests.bench.settings), so the bare view
never exists in a deployment.
"""

from opsreview.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
