"""Autosave latency: one answer saved many times in a row through the real endpoint.

    python tests/bench/bench_autosave.py --port 8000 --user NAME --password PW \\
        --code ORR-0001 --answer 42

Sequential on purpose: autosave is one person typing, so what matters is each save's latency
(the JSON POST the editor sends: form validation, the revision check, the update, the event log).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_pages import LOOPBACK, Load, cookie_header, fetch, login  # noqa: E402


def autosave(host: str, port: int, jar: dict[str, str], *, code: str, answer: int,
             revision: int, saves: int = 200) -> Load:
    path = f"/orr/{code}/answers/{answer}/"
    headers = {"Cookie": cookie_header(jar), "X-CSRFToken": jar["csrftoken"],
               "Accept": "application/json",
               "Content-Type": "application/x-www-form-urlencoded"}
    latencies, errors = [], 0
    began = time.perf_counter()
    for n in range(saves):
        text = (f"Measured with a synthetic canary every minute from three regions (save {n}). "
                "Alarms page the on-call when the error rate passes 1 % for five minutes.")
        body = urlencode({f"q{answer}-revision": revision, f"q{answer}-text": text,
                          f"q{answer}-choice": "", f"q{answer}-risk": "none",
                          f"q{answer}-na_reason": ""})
        start = time.perf_counter()
        status, _, content = fetch(host, port, path, headers, method="POST", body=body)
        latencies.append(time.perf_counter() - start)
        if status == 200:
            revision = json.loads(content)["revision"]
        else:
            errors += 1
            if status == 409:  # someone else saved: carry on from their revision
                revision = json.loads(content)["theirs"]["revision"]
    return Load(saves, errors, time.perf_counter() - began, latencies, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1", choices=LOOPBACK)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--code", required=True)
    parser.add_argument("--answer", type=int, required=True)
    parser.add_argument("--revision", type=int, default=0)
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    jar = login(args.host, args.port, args.user, args.password)
    load = autosave(args.host, args.port, jar, code=args.code, answer=args.answer,
                    revision=args.revision, saves=args.saves)
    print(f"autosave: p50 {load.percentile(50):.1f} ms, p95 {load.percentile(95):.1f} ms, "
          f"{load.errors} errors of {load.requests}")


if __name__ == "__main__":
    main()
