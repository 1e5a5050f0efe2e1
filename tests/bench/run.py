"""The "scale and speed" benchmarks, end to end, on a throwaway PostgreSQL on loopback.

    python tests/bench/run.py [--scale 0.1] [--seconds 10] [--markdown results.md]

1. starts a private PostgreSQL (tests/harness.py), migrates, collects static files;
2. seeds production-sized data with seed_scale (50 teams, 500 services, 1,500 ORRs, 5,000 COEs,
   50,000 action items at --scale 1);
3. measures each page's fresh-render CPU in this process, taking turns with a bare view of the
   same size (medians); serves the app as deployed (gunicorn.conf.py: 2 threaded workers,
   DEBUG=0, Redis as cache and broker) on 127.0.0.1 and replays a busy hour (signed-in readers on
   a skewed page mix, 4 editors autosaving every 3 s): CPU per read against the bare view, read
   latency, autosave latency; then, as secondary figures, one page at a time against the bare
   view, and sequential autosaves;
4. times PDF exports against WeasyPrint alone, and the weekly report (then again on double data);
5. prints one table: figure, baseline, ratio, target.

Everything runs on this machine's loopback, bounded in time and requests; the database, Redis
and the server are stopped and their files removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(Path(__file__).resolve().parent)]

import bench_autosave  # noqa: E402
import bench_pages  # noqa: E402
import bench_pdf  # noqa: E402
import bench_replay  # noqa: E402
import bench_report  # noqa: E402
import bench_similarity  # noqa: E402

from tests import harness  # noqa: E402

SIZES = {"teams": 50, "services": 500, "orrs": 1500, "coes": 5000, "actions": 50000}
HOST = "127.0.0.1"
PASSWORD = secrets.token_urlsafe(12)
SECTION = "monitoring"  # the ORR's longest section (18 questions)
EDITORS = 4  # concurrent autosaving editors in the busy-hour replay
READERS = 6  # signed-in readers besides the ops lead and the member
PDF_TIMELINE_EVENTS = 40


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    figure: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None

    def cells(self) -> list[str]:
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}×"
        verdict = "—" if self.ok is None else ("met" if self.ok else "MISSED")
        return [self.figure, self.value, self.baseline, ratio, self.target, verdict]


HEADER = ["Figure", "Measured", "Baseline", "Ratio", "Target", ""]


def table(rows: list[Row]) -> str:
    cells = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER[:-1] + ["Result"]) + " |",
             "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines) + "\n"


# --- processes ----------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    out = subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}{out.stderr}")
    return out.stdout


def seed(env: dict[str, str], scale: float, seed_value: int) -> tuple[int, float, float]:
    """Rows, seconds and rows/s of one seed_scale run."""
    sizes = [f"--{k}={max(1, round(v * scale))}" for k, v in SIZES.items()]
    out = manage(env, "seed_scale", *sizes, f"--seed={seed_value}")
    match = re.search(r"(\d+) rows in ([\d.]+) s: (\d+) rows/s", out)
    if not match:
        raise RuntimeError(f"seed_scale printed no rate:\n{out}")
    say(out.strip())
    return int(match[1]), float(match[2]), float(match[3])


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            # The deployment's own gunicorn settings; two workers for two cores.
            [str(gunicorn), "--config", str(REPO / "gunicorn.conf.py"), "--workers", "2",
             "--bind", f"{HOST}:{port}", "--chdir", str(REPO), "opsreview.wsgi:application"],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
        with contextlib.suppress(OSError):
            if bench_pages.fetch(HOST, port, "/healthz")[0] == 200:
                return proc
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")


def start_redis(root: Path) -> tuple[subprocess.Popen, str]:
    """The deployment's cache and broker: a private Redis on loopback."""
    port = harness.free_port()
    url = f"redis://{HOST}:{port}/0"
    with open(root / "redis.log", "ab") as out:
        proc = subprocess.Popen(harness.redis_command(port, root), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 10
    while not harness.redis_answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"redis-server did not answer; see {root / 'redis.log'}")
        time.sleep(0.1)
    return proc, url


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    # Its own session: the master and both workers share the process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- what to measure -------------------------------------------------------------------------


@dataclass
class Targets:
    lead: str
    member: str
    token: str
    service_slug: str
    draft_code: str
    answer_pk: int
    answer_revision: int
    coe_code: str
    orr_pdf_code: str
    editors: list[tuple[str, int, int]]  # (username, answer pk, revision) in the draft
    readers: list[str]


def prepare() -> Targets:
    """Bench users, an API token and the documents each measurement uses (in this process)."""
    from django.contrib.auth import get_user_model

    from catalog.models import Membership, Service, ops_leads_group
    from orr.models import ApiToken, ReadinessReview
    from orr.readiness import readiness_for_services
    from postmortems.models import Postmortem
    from reviews.models import Answer, State

    users = get_user_model().objects
    lead = users.create_user("bench-lead", password=PASSWORD, first_name="Bench",
                             last_name="Lead")
    lead.groups.add(ops_leads_group())
    # A draft with the most answers: its author's team edits it, the member autosaves into it.
    drafts = ReadinessReview.objects.alive().filter(state=State.DRAFT)
    draft = max(drafts.select_related("service"), key=lambda r: r.answers.exclude(text="").count())
    member = users.create_user("bench-member", password=PASSWORD)
    Membership.objects.create(user=member, team_id=draft.service.team_id)
    answer = (Answer.objects.filter(document=draft, question__kind="markdown",
                                    question__section__key=SECTION)
              .order_by("question__order").first())
    services = list(Service.objects.all())
    ready = [s for s, r in readiness_for_services(services).items() if r.status == "ready"]
    service = next(s for s in services if s.pk in ready)
    coe = (Postmortem.objects.alive().filter(state=State.APPROVED, restricted=False)
           .order_by("-created_at").first())
    orr_pdf = (ReadinessReview.objects.alive().filter(state=State.APPROVED)
               .order_by("-approved_at").first())
    _, raw = ApiToken.issue(name="bench", by=lead)
    # Four more people of the draft's team, each autosaving an answer of their own, and
    # readers: members of other teams.
    others = list(Answer.objects.filter(document=draft, question__kind="markdown")
                  .exclude(pk=answer.pk).order_by("question__section__order", "question__order")
                  [:EDITORS])
    editors = []
    for n, other in enumerate(others):
        user = users.create_user(f"bench-editor-{n}", password=PASSWORD)
        Membership.objects.create(user=user, team_id=draft.service.team_id)
        editors.append((user.username, other.pk, other.revision))
    team_ids = list(Membership.objects.exclude(team_id=draft.service.team_id)
                    .values_list("team_id", flat=True).distinct()[:READERS])
    readers = [lead.username, member.username]
    for n, team_id in enumerate(team_ids):
        user = users.create_user(f"bench-reader-{n}", password=PASSWORD)
        Membership.objects.create(user=user, team_id=team_id)
        readers.append(user.username)
    return Targets(lead.username, member.username, raw, service.slug, draft.code, answer.pk,
                   answer.revision, coe.code, orr_pdf.code, editors, readers)


def grow_timeline(code: str, events: int) -> None:
    """Give the COE `events` timeline events in all, for the PDF measurement."""
    import datetime as dt

    from postmortems.models import Postmortem, TimelineEvent

    coe = Postmortem.objects.get(code=code)
    missing = events - coe.timeline.count()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(postmortem=coe, kind="other", note="Status page updated for customers.",
                      at=coe.incident_start + dt.timedelta(minutes=3 + i))
        for i in range(max(0, missing))
    )


def measure_pages(port: int, t: Targets, args) -> list[bench_pages.Comparison]:
    lead = bench_pages.login(HOST, port, t.lead, PASSWORD)
    member = bench_pages.login(HOST, port, t.member, PASSWORD)
    as_lead = {"Cookie": bench_pages.cookie_header(lead)}
    as_member = {"Cookie": bench_pages.cookie_header(member)}
    api = {"Authorization": f"Bearer {t.token}", "Accept": "application/json"}
    pages = [
        ("Service list", "/services/", as_lead),
        ("ORR section edit", f"/orr/{t.draft_code}/section/{SECTION}/", as_member),
        ("COE page", f"/coe/{t.coe_code}/", as_lead),
        ("All action items", "/actions/all/", as_lead),
        ("Readiness API", f"/api/v1/services/{t.service_slug}/readiness/", api),
    ]
    results = []
    for name, path, headers in pages:
        result = bench_pages.compare(name, HOST, port, path, headers=headers,
                                     seconds=args.seconds, max_requests=args.requests,
                                     concurrency=args.concurrency)
        say(bench_pages.describe(result))
        results.append(result)
    return results


def page_row(figure: str, c: bench_pages.Comparison, *, target: bool) -> Row:
    return Row(
        figure,
        f"{c.page.rps:.1f} req/s (p50 {c.page.percentile(50):.0f} ms, "
        f"p95 {c.page.percentile(95):.0f} ms, {c.page.size / 1024:.0f} KiB"
        + (f", {c.page.errors} errors" if c.page.errors else "") + ")",
        f"bare view {c.bare.rps:.1f} req/s", c.ratio,
        "≥ 0.5×" if target else "—", (c.ratio >= 0.5 and not c.page.errors) if target else None)


def measure_autosave(port: int, t: Targets, saves: int):
    jar = bench_pages.login(HOST, port, t.member, PASSWORD)
    load = bench_autosave.autosave(HOST, port, jar, code=t.draft_code, answer=t.answer_pk,
                                   revision=t.answer_revision, saves=saves)
    # The baseline: the same number of sequential requests to the bare view.
    headers = {"Cookie": bench_pages.cookie_header(jar)}
    bare = bench_pages.hammer(HOST, port, "/__bench__/bare/64/", headers=headers,
                              seconds=60, max_requests=saves, concurrency=1)
    say(f"autosave: p50 {load.percentile(50):.1f} ms, p95 {load.percentile(95):.1f} ms, "
        f"{load.errors} errors; bare p95 {bare.percentile(95):.1f} ms")
    return load, bare


def replay_pages(t: Targets, *, draft: bool = True) -> list[tuple[str, str, float]]:
    """The busy hour's skewed page mix: (name, path, weight). Readers of other teams cannot
    see a draft: without `draft`, the ORR pages are those of an approved ORR."""
    code = t.draft_code if draft else t.orr_pdf_code
    return [
        ("Home", "/", 30), ("Service list", "/services/", 14),
        ("COE page", f"/coe/{t.coe_code}/", 12),
        ("ORR overview", f"/orr/{code}/", 10),
        ("ORR section edit" if draft else "ORR section", f"/orr/{code}/section/{SECTION}/", 10),
        ("All action items", "/actions/all/", 8), ("My action items", "/actions/", 6),
        ("ORR list", "/orr/", 5), ("COE list", "/coe/", 5),
    ]


def measure_replay(port: int, t: Targets, args) -> list[Row]:
    readers = [bench_pages.login(HOST, port, name, PASSWORD) for name in t.readers]
    editors = [(bench_pages.login(HOST, port, name, PASSWORD), t.draft_code, pk, revision)
               for name, pk, revision in t.editors]
    r = bench_replay.replay(HOST, port, readers=readers, pages=replay_pages(t, draft=False),
                            editors=editors,
                            seconds=args.replay_seconds)
    say(f"busy-hour replay: {r.describe()}")
    mean_cpu = statistics.mean(r.read_cpu)
    p95_read, p95_save = r.pct(r.read_ms, 95), r.pct(r.save_ms, 95)
    return [
        Row(f"Busy hour: CPU per read ({len(r.read_ms)} reads, {len(t.readers)} readers)",
            f"mean {mean_cpu:.1f} ms, p95 {r.pct(r.read_cpu, 95):.1f} ms",
            f"bare view {statistics.mean(r.bare_cpu):.2f} ms", r.cpu_ratio, "≤ 10×",
            r.cpu_ratio <= 10 and not r.errors),
        Row("Busy hour: read latency", f"p50 {r.pct(r.read_ms, 50):.0f} ms, p95 "
            f"{p95_read:.0f} ms" + (f", {r.errors} errors" if r.errors else ""), "—", None,
            "p95 ≤ 150 ms", p95_read <= 150 and not r.errors),
        # Which pages the CPU goes to under load, heaviest first (weight × mean in the mix).
        Row("Busy hour: mean CPU per read, by page", ", ".join(
            f"{name} {statistics.mean(cpu):.0f} ms ×{len(cpu)}" for name, cpu in sorted(
                r.per_page.items(), key=lambda kv: -sum(kv[1])) if cpu),
            "—", None, "—", None),
        Row("Busy hour: hit rate of shared document parts",
            f"{r.fragment_hits} of {r.fragment_hits + r.fragment_draws} from the cache "
            f"({100 * r.hit_rate:.0f} %)" if r.fragment_hits + r.fragment_draws else
            "no shared part drawn", "—", None, "—", None),
        Row(f"Busy hour: autosave p95 ({EDITORS} editors, every 3 s, {len(r.save_ms)} saves)",
            f"{p95_save:.0f} ms (p50 {r.pct(r.save_ms, 50):.0f} ms"
            + (f", {r.save_errors} not saved" if r.save_errors else "") + ")", "—", None,
            "≤ 50 ms", p95_save <= 50 and not r.save_errors),
    ]


def measure_fresh(t: Targets, rounds: int) -> list[Row]:
    """Fresh-render CPU per page in this process, taking turns with the bare view of the same
    size (medians of `rounds`), through the whole middleware stack, with no shared page part
    kept. The COE page is measured twice: as read (its similar factors remembered until a
    factor or COE changes) and with every cache emptied before each request (the first view
    after such a change). Then a reader's document pages with their shared parts kept."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client, override_settings

    users = get_user_model().objects
    as_lead, as_member = Client(SERVER_NAME=HOST), Client(SERVER_NAME=HOST)
    as_lead.force_login(users.get(username=t.lead))
    as_member.force_login(users.get(username=t.member))
    pages = [(name, path, False) for name, path, _ in replay_pages(t)]
    pages += [(f"{name}, caches emptied", path, True) for name, path, _ in replay_pages(t)
              if name == "COE page"]
    rows = []

    def medians(client, path, emptied=False) -> tuple[float, float, int]:
        size = len(client.get(path).content)  # warm up, and the bare view's size
        page, bare = [], []
        for _ in range(rounds):
            for into, url in ((page, path), (bare, f"/__bench__/bare/{size}/")):
                if emptied and into is page:
                    cache.clear()
                    client.force_login(users.get(username=t.lead))  # the session went too
                began = time.process_time()
                assert client.get(url).status_code == 200, url
                into.append(1000 * (time.process_time() - began))
        return statistics.median(page), statistics.median(bare), size

    # Fresh: every shared part of a document page drawn for each request, as for an editor or
    # the first reader after a change (opsreview/fragments.py).
    with override_settings(FRAGMENT_CACHE_SECONDS=0):
        for name, path, emptied in pages:
            p, b, size = medians(as_member if "section" in path else as_lead, path, emptied)
            limit = 40 if "section" in path else 30 if name.startswith("COE page") else 20
            say(f"fresh render {name}: {p:.1f} ms CPU (bare {b:.1f} ms)")
            # The first view after a change is shown, not judged: the targets are for pages
            # as read.
            rows.append(Row(f"Fresh render: {name}", f"{p:.1f} ms CPU ({size / 1024:.0f} KiB)",
                            f"bare view {b:.1f} ms", p / b if b else None,
                            "—" if emptied else f"≤ {limit} ms", None if emptied else p <= limit))
    # Shared: a reader of an approved document, the parts from the cache (a secondary figure).
    for name, path, _ in replay_pages(t, draft=False):
        if name in ("COE page", "ORR overview", "ORR section"):
            p, b, size = medians(as_lead, path)
            say(f"shared parts {name}: {p:.1f} ms CPU (bare {b:.1f} ms)")
            rows.append(Row(f"A reader's {name}, shared parts from the cache",
                            f"{p:.1f} ms CPU ({size / 1024:.0f} KiB)", f"bare view {b:.1f} ms",
                            p / b if b else None, "—", None))
    return rows


# --- the run -----------------------------------------------------------------------------------


def run(args) -> list[Row]:
    rows: list[Row] = []
    bindir = harness.pg_bindir()
    root = harness.make_pg_dir()
    gunicorn = redis = None
    began = time.monotonic()
    try:
        env = harness.base_env()
        env.update(harness.start_postgres(bindir, root))
        redis, env["REDIS_URL"] = start_redis(root)
        port = harness.free_port()
        env.update({
            "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0", "SITE_URL": f"http://{HOST}:{port}",
            "STATIC_ROOT": str(root / "static"), "MEDIA_ROOT": str(root / "media"),
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings", "LOG_LEVEL": "WARNING",
            # A login a second from one address is the benchmark, not an attack.
            "AXES_FAILURE_LIMIT": "1000",
        })
        say("migrating and collecting static files")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        n, seconds, rate = seed(env, args.scale, seed_value=1)
        rows.append(Row("seed_scale rate", f"{rate:,.0f} rows/s", "—", None,
                        f"minutes ({n:,} rows in {seconds:.0f} s)", seconds < 600))

        os.environ.update(env)
        import django

        django.setup()
        targets = prepare()
        say("similar factors among 5,000 COEs")
        similar = min(bench_similarity.run(5000) for _ in range(3))
        rows.append(Row("Similar factors among 5,000 COEs (15,000 factors)",
                        f"{similar * 1000:.0f} ms", "—", None, "< 1 s", similar < 1.0))
        say("fresh renders in this process, each page taking turns with the bare view")
        rows += measure_fresh(targets, args.rounds)
        gunicorn = start_gunicorn(env, port, root / "gunicorn.log")
        say(f"busy-hour replay for {args.replay_seconds:g} s")
        rows += measure_replay(port, targets, args)
        if args.quick:
            return rows
        say("one page at a time (secondary figures)")
        rows += [page_row(f"{c.name} throughput", c, target=False)
                 for c in measure_pages(port, targets, args)]
        load, bare = measure_autosave(port, targets, args.saves)
        p95 = load.percentile(95)
        rows.append(Row(f"Autosave p95 ({load.requests} sequential saves, no other load)",
                        f"{p95:.1f} ms (p50 {load.percentile(50):.1f} ms"
                        + (f", {load.errors} errors" if load.errors else "") + ")",
                        f"bare view p95 {bare.percentile(95):.1f} ms",
                        p95 / bare.percentile(95), "≤ 50 ms", p95 <= 50 and not load.errors))
        stop(gunicorn)  # the PDFs and the report get the CPU to themselves
        gunicorn = None

        rows += measure_pdfs(targets)
        rows += measure_report(env, args)
    finally:
        stop(gunicorn)
        stop(redis)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        harness.stop_postgres(bindir, root)
        shutil.rmtree(root, ignore_errors=True)
        say(f"PostgreSQL stopped, files removed; {time.monotonic() - began:.0f} s in all")
    return rows


def measure_pdfs(t: Targets) -> list[Row]:
    found = bench_pdf.layouts()
    rows = []
    plan = [("orr", t.orr_pdf_code, "ORR PDF (every question answered)"),
            ("coe", t.coe_code, f"COE PDF ({PDF_TIMELINE_EVENTS} timeline events)")]
    for kind, code, label in plan:
        if kind not in found:
            say(f"{label}: no print template yet, skipped")
            rows.append(Row(label, "skipped: no print template", "—", None, "≤ 1.3×", None))
            continue
        if kind == "coe":
            grow_timeline(code, PDF_TIMELINE_EVENTS)
        timing = bench_pdf.time_document(code)
        say(f"{label}: app {timing.app:.2f} s (context and HTML {timing.html:.2f} s), "
            f"WeasyPrint alone {timing.standalone:.2f} s, {timing.pages} pages")
        rows.append(Row(label, f"{timing.app:.2f} s (context and HTML {timing.html:.2f} s; "
                               f"{timing.pages} pages, {timing.html_bytes / 1024:.0f} KiB HTML)",
                        f"WeasyPrint alone {timing.standalone:.2f} s", timing.ratio, "≤ 1.3×",
                        timing.ratio <= 1.3))
    return rows


def measure_report(env: dict[str, str], args) -> list[Row]:
    if not bench_report.available():
        say("weekly report: reports.selectors.weekly_report not found, skipped")
        return [Row("Weekly report", "skipped: no reports.selectors.weekly_report", "—", None,
                    "≤ 2.2× on double data", None)]
    def memory(r: dict) -> str:
        return f"{r['peak_mb']:.0f} MB allocated at peak, process {r['maxrss_mb']:.0f} MB"

    first = bench_report.measure(env)
    say(f"weekly report {first['week']}: {first['seconds']:.2f} s, {memory(first)}")
    pdf1, pages1 = weekly_pdf(first["week"])
    n, seconds, rate = seed(env, args.scale, seed_value=2)
    second = bench_report.measure(env, first["week"])
    say(f"weekly report on double data: {second['seconds']:.2f} s, {memory(second)}")
    pdf2, pages2 = weekly_pdf(first["week"])
    pdf_rows = [
        Row(f"Weekly PDF {first['week']}", f"{pdf1:.2f} s, {pages1} pages", "—", None,
            "≤ 5 s, ≤ 12 pages", pdf1 <= 5 and pages1 <= 12),
        Row("Weekly PDF, double data", f"{pdf2:.2f} s, {pages2} pages", f"{pdf1:.2f} s at 1×",
            pdf2 / pdf1, "≤ 2.2×", pdf2 / pdf1 <= 2.2),
    ]
    ratio = second["seconds"] / first["seconds"]
    memory_ratio = second["peak_mb"] / first["peak_mb"] if first["peak_mb"] else None
    return [
        Row(f"Weekly report {first['week']}", f"{first['seconds']:.2f} s ({memory(first)})",
            "—", None, "—", None),
        Row("Weekly report, double data: time", f"{second['seconds']:.2f} s",
            f"{first['seconds']:.2f} s at 1×", ratio, "≤ 2.2×", ratio <= 2.2),
        Row("Weekly report, double data: memory", memory(second),
            f"{first['peak_mb']:.0f} MB at 1×", memory_ratio, "—", None),
        Row("seed_scale rate, second run", f"{rate:,.0f} rows/s", "—", None,
            f"minutes ({n:,} rows in {seconds:.0f} s)", seconds < 600),
        *pdf_rows,
    ]


def weekly_pdf(iso: str) -> tuple[float, int]:
    """The weekly PDF as the Monday task renders it (data, HTML, WeasyPrint): seconds of the
    fastest of 3, and pages."""
    import gc
    import io

    from pypdf import PdfReader

    from reports.services import weekly_report_pdf
    from reports.weeks import Week

    best, pdf = float("inf"), b""
    for _ in range(3):
        gc.collect()
        began = time.perf_counter()
        pdf = weekly_report_pdf(Week.parse(iso))
        best = min(best, time.perf_counter() - began)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    say(f"weekly PDF {iso}: {best:.2f} s, {pages} pages")
    return best, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies every seed_scale size (0.1 for a quick run)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="load per page and per bare view (default 10, 4 below scale 1)")
    parser.add_argument("--requests", type=int, default=3000, help="cap per page and bare view")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--replay-seconds", type=float, default=60.0,
                        help="length of the busy-hour replay")
    parser.add_argument("--rounds", type=int, default=15,
                        help="fresh renders per page (and as many bare views), medians")
    parser.add_argument("--markdown", type=Path, help="also write the table here as Markdown")
    parser.add_argument("--quick", action="store_true",
                        help="fresh renders and the busy-hour replay only (while tuning)")
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = 10.0 if args.scale >= 1 else 4.0
    signal.signal(signal.SIGTERM, harness.exit_on_signal)
    signal.signal(signal.SIGHUP, harness.exit_on_signal)
    try:
        rows = run(args)
    except RuntimeError as exc:
        say(str(exc))
        return 1
    print(f"\nScale {args.scale:g}, {os.cpu_count()} cores, concurrency {args.concurrency}, "
          f"{args.seconds:g} s per page\n")
    print(table(rows))
    if args.markdown:
        args.markdown.write_text(markdown(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
