"""A busy hour, replayed for a bounded time against the server as deployed (loopback only).

Signed-in readers open pages on a skewed mix (a few pages most of the time, as in an ops
meeting week) with no think time, from `reader_threads` keep-alive connections, while
`editors` people autosave an answer every `save_every` seconds each. Every fifth reader request
is the bare view of the mix's mean size instead, so the baseline shares the same load.

What it reports is what people feel: read latency (p50, p95), the worker's CPU per read (the
X-Worker-CPU header of the benchmark settings; mean, p95) next to the bare view's, and autosave
latency (p95) under that load, and how many shared parts of document pages came from the
cache (opsreview/fragments.py; the X-Shared-Fragments header of the benchmark settings).
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench_pages import LOOPBACK, cookie_header


@dataclass
class Replay:
    seconds: float = 0.0
    read_ms: list[float] = field(default_factory=list)
    read_cpu: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)
    errors: int = 0
    save_errors: int = 0
    per_page: dict[str, list[float]] = field(default_factory=dict)
    fragment_hits: int = 0  # shared page parts served from the cache
    fragment_draws: int = 0  # and drawn

    @property
    def hit_rate(self) -> float:
        total = self.fragment_hits + self.fragment_draws
        return self.fragment_hits / total if total else float("nan")

    @staticmethod
    def pct(values: list[float], p: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def cpu_ratio(self) -> float:
        return statistics.mean(self.read_cpu) / statistics.mean(self.bare_cpu)

    def describe(self) -> str:
        return (f"{len(self.read_ms)} reads in {self.seconds:.0f} s ({self.errors} errors): "
                f"latency p50 {self.pct(self.read_ms, 50):.0f} ms, "
                f"p95 {self.pct(self.read_ms, 95):.0f} ms; CPU per read mean "
                f"{statistics.mean(self.read_cpu):.1f} ms, p95 {self.pct(self.read_cpu, 95):.1f} "
                f"ms (bare {statistics.mean(self.bare_cpu):.2f} ms, {self.cpu_ratio:.1f}×); "
                f"{len(self.save_ms)} saves, p95 {self.pct(self.save_ms, 95):.0f} ms "
                f"({self.save_errors} not 200); shared parts {self.fragment_hits} from the "
                f"cache, {self.fragment_draws} drawn")


def replay(host: str, port: int, *, readers: list[dict[str, str]],
           pages: list[tuple[str, str, float]], editors: list[tuple[dict[str, str], str, int, int]],
           seconds: float = 30.0, reader_threads: int = 4, save_every: float = 3.0,
           bare_size: int = 50_000, seed: int = 7) -> Replay:
    """`readers`: cookie jars; `pages`: (name, path, weight); `editors`: (jar, ORR code,
    answer pk, its revision), one answer each."""
    if host not in LOOPBACK:
        raise ValueError(f"Load tests only run against loopback, not {host!r}.")
    result = Replay()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    names, paths, weights = zip(*pages, strict=True)

    def get(conn, path, headers):
        began = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            cpu = float(response.getheader("X-Worker-CPU") or "nan")
            parts = response.getheader("X-Shared-Fragments") or ""
            with lock:
                result.fragment_hits += parts.count("+")
                result.fragment_draws += parts.count("-")
            return response.status, time.perf_counter() - began, cpu
        except (OSError, http.client.HTTPException):
            conn.close()
            return 0, time.perf_counter() - began, float("nan")

    def reader(n: int) -> None:
        rng = random.Random(seed + n)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        count = 0
        while time.perf_counter() < deadline:
            jar = rng.choice(readers)
            headers = {"Accept": "text/html", "Cookie": cookie_header(jar)}
            count += 1
            if count % 5 == 0:
                status, _, cpu = get(conn, f"/__bench__/bare/{bare_size}/", headers)
                if status == 200:
                    with lock:
                        result.bare_cpu.append(cpu)
                continue
            i = rng.choices(range(len(paths)), weights)[0]
            status, took, cpu = get(conn, paths[i], headers)
            with lock:
                if status != 200:
                    result.errors += 1
                    continue
                result.read_ms.append(1000 * took)
                result.read_cpu.append(cpu)
                result.per_page.setdefault(names[i], []).append(cpu)
        conn.close()

    def editor(jar: dict[str, str], code: str, answer: int, revision: int, n: int) -> None:
        headers = {"Cookie": cookie_header(jar), "X-CSRFToken": jar["csrftoken"],
                   "Accept": "application/json",
                   "Content-Type": "application/x-www-form-urlencoded"}
        conn = http.client.HTTPConnection(host, port, timeout=60)
        saves = 0
        time.sleep(save_every * n / max(1, len(editors)))  # people do not type in step
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            saves += 1
            body = urlencode({f"q{answer}-revision": revision,
                              f"q{answer}-text": f"Alarms page the on-call (edit {saves}).",
                              f"q{answer}-risk": "none"})
            status, content = 0, b""
            # A kept-alive connection the server closed while the editor paused (gunicorn's
            # threaded workers keep idle connections 2 s) fails before anything is sent; like
            # a browser, send again once on a new connection.
            for _attempt in range(2):
                try:
                    conn.request("POST", f"/orr/{code}/answers/{answer}/", body=body,
                                 headers=headers)
                    response = conn.getresponse()
                    content = response.read()
                    status = response.status
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    conn.close()
                except (OSError, http.client.HTTPException):
                    conn.close()
                    break
            took = time.perf_counter() - began
            if status == 200:
                revision = json.loads(content)["revision"]
            elif status == 409:
                revision = json.loads(content)["theirs"]["revision"]
            with lock:
                result.save_ms.append(1000 * took)
                result.save_errors += status != 200
            time.sleep(max(0.0, save_every - took))
        conn.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(reader_threads)]
    threads += [threading.Thread(target=editor, args=(*e, n)) for n, e in enumerate(editors)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - began
    return result
