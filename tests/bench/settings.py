"""Settings of the benchmark server: the app's own, plus the bare baseline view's URL.

Only tests/bench/run.py uses this (DJANGO_SETTINGS_MODULE=tests.bench.settings), so the bare view
never exists in a deployment.
"""

from opsreview.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"

# Each answer says how much CPU the worker spent on it (X-Worker-CPU, in ms): a worker thread
# serves one request at a time, so its thread's CPU time over the request is that request's cost.
MIDDLEWARE = ["tests.bench.cpu.WorkerCpuMiddleware", *MIDDLEWARE]  # noqa: F405
