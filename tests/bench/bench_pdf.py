"""PDF export time: the app's path against WeasyPrint alone on the same HTML.

    DATABASE_URL=… python tests/bench/bench_pdf.py ORR-0001 [COE-0002 …]

The app's path is what an export task does: build the print context from the database, render
the print template, and ``opsreview.rendering.render_pdf`` it (sanitised Markdown, the safe URL
fetcher serving the print CSS). The baseline is WeasyPrint on the saved HTML of the same document,
with the CSS inlined, so both lay out exactly the same pages.
"""

from __future__ import annotations

import gc
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


@dataclass
class PdfTiming:
    name: str
    app: float  # seconds, median
    standalone: float
    html: float  # the app's part before WeasyPrint: print context and template
    pages: int
    html_bytes: int

    @property
    def ratio(self) -> float:
        return self.app / self.standalone if self.standalone else float("nan")


def layouts() -> dict:
    """Print template and context builder per document kind, where they exist yet."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from reports.exports import LAYOUTS
    from reports.models import Export

    found = {}
    for kind, name in ((Export.Kind.ORR_PDF, "orr"), (Export.Kind.COE_PDF, "coe")):
        template, build = LAYOUTS[kind]
        try:
            get_template(template)
        except TemplateDoesNotExist:
            continue
        found[name] = (kind, template, build)
    return found


def inline_stylesheets(html: str) -> str:
    """The page with each stylesheet link replaced by the file's content, as the app serves it."""
    from opsreview.rendering import safe_url_fetcher

    def inline(match: re.Match) -> str:
        return f"<style>{safe_url_fetcher(match[1]).read().decode()}</style>"

    return STYLESHEET.sub(inline, html)


def time_document(code: str, repeats: int = 7) -> PdfTiming:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from opsreview.rendering import render_pdf
    from reports.models import Export
    from reviews.models import Document

    document = Document.objects.get(code=code)
    kind, template, build = layouts()[document.kind]
    export = Export(kind=kind, document_id=document.pk)

    def app_path() -> bytes:
        return render_pdf(render_to_string(template, build(export)))

    def html_only() -> str:
        return render_to_string(template, build(export))

    standalone_html = inline_stylesheets(render_to_string(template, build(export)))
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / f"{code}.html"
        saved.write_text(standalone_html, encoding="utf-8")
        app_times, alone_times, html_times = [], [], []
        results = {}

        def timed(times: list[float], work) -> None:
            gc.collect()  # neither side pays for the other's garbage
            began = time.perf_counter()
            results[id(times)] = work()
            times.append(time.perf_counter() - began)

        def standalone():
            alone = HTML(filename=str(saved)).render()
            alone.write_pdf()
            return alone

        for n in range(repeats):
            timed(html_times, html_only)
            # Alternate which side goes first, so warming up favours neither.
            pair = [(app_times, app_path), (alone_times, standalone)]
            for times, work in pair if n % 2 == 0 else reversed(pair):
                timed(times, work)
        pdf, alone = results[id(app_times)], results[id(alone_times)]
    assert pdf.startswith(b"%PDF")
    return PdfTiming(code, statistics.median(app_times), statistics.median(alone_times),
                     statistics.median(html_times), len(alone.pages),
                     len(standalone_html.encode()))


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsreview.settings")
    import django

    django.setup()
    for code in sys.argv[1:]:
        t = time_document(code)
        print(f"{t.name}: app {t.app:.2f} s (of which context and HTML {t.html:.2f} s), "
              f"WeasyPrint alone {t.standalone:.2f} s ({t.ratio:.2f}x), {t.pages} pages, "
              f"{t.html_bytes} B of HTML")


if __name__ == "__main__":
    main()
