"""Page throughput against a server on loopback, each page next to the bare view of its size.

    python tests/bench/bench_pages.py --port 8000 --path /services/ --cookie 'sessionid=…'

A small load generator: threads, each with one keep-alive ``http.client`` connection (it
reconnects by itself when gunicorn closes it), bounded by time and by a number of
requests. Only loopback addresses are accepted as targets. run.py calls ``compare`` per page.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    size: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency in milliseconds at percentile p (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def hammer(host: str, port: int, path: str, *, headers: dict[str, str] | None = None,
           seconds: float = 10.0, max_requests: int = 5000, concurrency: int = 4) -> Load:
    """GET `path` from `concurrency` threads until `seconds` pass or `max_requests` are done."""
    if host not in LOOPBACK:
        raise ValueError(f"Load tests only run against loopback, not {host!r}.")
    headers = {"Accept": "text/html", **(headers or {})}
    latencies: list[float] = []
    errors = [0]
    sizes: list[int] = []
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + seconds

    def claim() -> bool:
        with lock:
            if issued[0] >= max_requests or time.perf_counter() >= deadline:
                return False
            issued[0] += 1
            return True

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            while claim():
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    ok, body = False, b""
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    sizes.append(len(body))
                    errors[0] += not ok
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - started
    size = int(statistics.median(sizes)) if sizes else 0
    return Load(len(latencies), errors[0], elapsed, latencies, size)


def fetch(host: str, port: int, path: str, headers: dict[str, str] | None = None,
          method: str = "GET", body: str | None = None,
          ) -> tuple[int, http.client.HTTPResponse, bytes]:
    if host not in LOOPBACK:
        raise ValueError(f"Only loopback, not {host!r}.")
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def cookies_of(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    for header in response.msg.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        jar.update({name: morsel.value for name, morsel in parsed.items()})
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def login(host: str, port: int, username: str, password: str) -> dict[str, str]:
    """Log in through the real login form once; returns the cookies (session and CSRF)."""
    status, response, body = fetch(host, port, "/accounts/login/")
    jar = cookies_of(response, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not token:
        raise RuntimeError(f"login page answered {status} without a CSRF token")
    form = urlencode({"username": username, "password": password,
                      "csrfmiddlewaretoken": token[1].decode()})
    status, response, _ = fetch(host, port, "/accounts/login/", method="POST", body=form, headers={
        "Cookie": cookie_header(jar), "Content-Type": "application/x-www-form-urlencoded"})
    cookies_of(response, jar)
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {username} failed ({status})")
    return jar


@dataclass
class Comparison:
    name: str
    page: Load
    bare: Load

    @property
    def ratio(self) -> float:
        return self.page.rps / self.bare.rps if self.bare.rps else 0.0


def compare(name: str, host: str, port: int, path: str, *, headers: dict[str, str],
            seconds: float, max_requests: int, concurrency: int, rounds: int = 4) -> Comparison:
    """The page's throughput next to the bare view returning a body of the page's size."""
    status, _, body = fetch(host, port, path, headers)
    if status != 200:
        raise RuntimeError(f"{name}: GET {path} answered {status}")
    bare_path = f"/__bench__/bare/{len(body)}/"
    # Warm both up (worker imports, template caches, the database's own caches).
    for warm in (path, bare_path):
        hammer(host, port, warm, headers=headers, seconds=2, max_requests=8, concurrency=2)
    # Page and bare view take turns in short rounds, so a change in the machine's background
    # load during the measurement falls on both sides alike.
    pages, bares = [], []
    for _ in range(rounds):
        for loads, target in ((pages, path), (bares, bare_path)):
            loads.append(hammer(host, port, target, headers=headers, seconds=seconds / rounds,
                                max_requests=max_requests // rounds, concurrency=concurrency))
    return Comparison(name, combined(pages), combined(bares))


def combined(loads: list[Load]) -> Load:
    latencies = [latency for load in loads for latency in load.latencies]
    return Load(sum(load.requests for load in loads), sum(load.errors for load in loads),
                sum(load.seconds for load in loads), latencies,
                int(statistics.median(load.size for load in loads)))


def describe(c: Comparison) -> str:
    return (f"{c.name}: {c.page.rps:.1f} req/s (p50 {c.page.percentile(50):.0f} ms, "
            f"p95 {c.page.percentile(95):.0f} ms, {c.page.size} B, {c.page.errors} errors) vs "
            f"bare {c.bare.rps:.1f} req/s (p95 {c.bare.percentile(95):.0f} ms): "
            f"{c.ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1", choices=LOOPBACK)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    headers = {"Cookie": args.cookie} if args.cookie else {}
    for path in args.path:
        print(describe(compare(path, args.host, args.port, path, headers=headers,
                               seconds=args.seconds, max_requests=args.requests,
                               concurrency=args.concurrency)))


if __name__ == "__main__":
    main()
