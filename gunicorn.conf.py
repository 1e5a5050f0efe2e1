"""gunicorn settings, the same for the Dockerfile, docker compose and `make bench`.

Bind address, worker and thread counts come from the environment (GUNICORN_BIND,
WEB_CONCURRENCY, GUNICORN_THREADS); the command line overrides them.
"""

import gc
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads within each worker: a short request (an autosave, the readiness API) does not wait
# behind a page another thread is rendering, and a thread waiting on the database leaves the
# CPU to the others. Django opens one database connection per thread.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
graceful_timeout = 10
# Load Django once in the master, then fork: workers start fast and share its memory.
preload_app = True
# Restart a worker now and then, so a slow leak cannot grow for ever.
max_requests = 5000
max_requests_jitter = 500
# Only the reverse proxy may set the scheme (X-Forwarded-Proto); the app checks it again.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1"
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None


def when_ready(server):
    # Everything loaded so far (Django, the apps, templates' code) lives as long as the worker:
    # keep it out of the garbage collector's walks, and out of copy-on-write page faults.
    gc.freeze()


def post_fork(server, worker):
    # How long a thread may keep the GIL while another waits for it (Python's default: 5 ms).
    # A short request (an autosave: a few queries, each giving the GIL up while it waits for
    # the database) had to win it back from a page being rendered after every query; at 1 ms
    # the autosave p95 of the busy-hour replay went from 72–87 ms to 66–67 ms, reads unchanged
    # (docs/performance.md).
    sys.setswitchinterval(float(os.environ.get("GIL_SWITCH_MS", "1")) / 1000)
