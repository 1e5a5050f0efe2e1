"""The one place where user text becomes HTML, plain text or PDF.

Every user-written Markdown text on pages, in e-mails and in PDFs goes through
``render_markdown`` / ``render_plain``; every PDF is rendered by ``render_pdf``.

Markdown: raw HTML is escaped by Python-Markdown (its HTML pass-through is switched off)
and the result is sanitised again by nh3 with a small allow-list, so a bug in one layer
is not enough for an XSS. Python-Markdown has super-linear corners (unclosed brackets,
long runs of list/heading/definition lines) and recurses on nesting; those inputs fall
back to escaped plain text instead of crashing or taking seconds.

PDF: WeasyPrint fetches stylesheets, images and fonts through a fetcher that only
serves the app's own static files from disk and the printed document's own attachments
(by their page URL, as the upload message tells people to paste it), so a user's image URL
can never make the server request another host (SSRF), read a local file, or pull another
document's files or exports out of media.
"""

from __future__ import annotations

import functools
import html as html_lib
import logging
import mimetypes
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

MAX_MARKDOWN_CHARS = 100_000
# Deeper HTML makes WeasyPrint crash (a few hundred nested blockquotes) and nh3 slow;
# no real review text comes close.
MAX_NESTING = 50
# Each unclosed "[" makes Python-Markdown scan to the end of the paragraph (quadratic).
MAX_UNCLOSED_BRACKETS = 500
# Wall-clock budget for Python-Markdown itself, checked between its processing steps.
# Real texts take milliseconds; only pathological ones get near this.
MARKDOWN_TIME_BUDGET = 0.5

# WeasyPrint resolves relative URLs against this pseudo host (".invalid" can never
# resolve, RFC 2606); the fetcher maps it back to the static and media directories.
PDF_BASE_URL = "https://opsreview.invalid/"
MAX_PDF_RESOURCE_BYTES = 20 * 1024 * 1024

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody",
    "tr", "th", "td", "del", "sup", "sub", "dl", "dt", "dd", "abbr",
}  # fmt: skip
# No style, class, id (DOM clobbering), colspan/rowspan (WeasyPrint layout blow-up).
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
}
_ALIGN = {"align": {"left", "center", "right"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}  # nh3's default also has ftp, tel, ...
LINK_REL = "noopener noreferrer nofollow"

_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    tag_attribute_values={"th": _ALIGN, "td": _ALIGN},
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


class MarkdownTooLong(ValueError):
    """The text is longer than MAX_MARKDOWN_CHARS; forms show the message."""


class URLRefused(ValueError):
    """The PDF fetcher refused a URL; WeasyPrint logs a warning and skips the resource."""


class _OutOfTime(Exception):
    pass


# --- Markdown ------------------------------------------------------------------------

# C0/C1 control characters except tab and newline. Python-Markdown uses \x02/\x03 as
# placeholder markers internally, so user text must not contain them.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The container prefix of a line: blockquote markers and list markers ("> - 1. x").
_CONTAINER_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr"}


# Pages show the same answers again and again; rendering is pure, so remember recent results.
# Only successful renders of short texts are kept: a fallback caused by a busy machine (the time
# budget) must not stick, and the cache stays small (at most CACHE_ENTRIES × CACHE_MAX_CHARS).
CACHE_ENTRIES = 4096
CACHE_MAX_CHARS = 20_000
_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _remember(text: str, html: str) -> None:
    if len(text) > CACHE_MAX_CHARS:
        return
    with _CACHE_LOCK:
        _CACHE[text] = html
        while len(_CACHE) > CACHE_ENTRIES:
            _CACHE.popitem(last=False)


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML, safe to insert into pages, e-mails and PDFs."""
    if len(text) > MAX_MARKDOWN_CHARS:
        raise MarkdownTooLong(
            f"The text is {len(text):,} characters long; the limit is "
            f"{MAX_MARKDOWN_CHARS:,} characters."
        )
    text = _clean_text(text)
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    reason = _pathological(text)
    if reason is None:
        try:
            converted = _convert(text)
        except RecursionError:
            reason = "nesting too deep for the Markdown parser"
        except _OutOfTime:
            reason = f"Markdown took longer than {MARKDOWN_TIME_BUDGET}s"
        else:
            if _html_depth(converted) > MAX_NESTING:
                reason = f"HTML nested deeper than {MAX_NESTING}"
            else:
                html = _CLEANER.clean(converted)
                _remember(text, html)
                return html
    logger.warning("Rendering %d characters as plain text: %s", len(text), reason)
    return _escaped_paragraphs(text)


def render_plain(text: str) -> str:
    """Text for plain-text e-mails: the Markdown source, without control characters.

    Plain text is never interpreted as HTML, and Markdown source reads well as it is.
    """
    return _clean_text(text).strip()


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text)


def _pathological(text: str) -> str | None:
    """Why the text must not go to Python-Markdown at all, or None."""
    if text.count("[") - text.count("]") > MAX_UNCLOSED_BRACKETS:
        return "too many unclosed brackets"
    for line in text.split("\n"):
        prefix = _CONTAINER_PREFIX.match(line).group()
        if len(prefix) > MAX_NESTING and _container_depth(prefix) > MAX_NESTING:
            return "blockquotes or lists nested too deep"
    return None


def _container_depth(prefix: str) -> int:
    return prefix.count(">") + len(re.findall(r"(?:[-*+]|\d{1,9}[.)])(?=[ \t])", prefix))


def _convert(text: str) -> str:
    # A fresh instance per call: Markdown objects are not thread-safe, and the deadline
    # hooks below belong to this one call.
    md = markdown.Markdown(
        extensions=["extra", "sane_lists"],  # nl2br is quadratic on many short lines
        extension_configs={"extra": {"tables": {"use_align_attribute": True}}},
        output_format="html",
    )
    # No raw HTML pass-through: "<b>" in user text is shown as text.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    _add_deadline(md, time.perf_counter() + MARKDOWN_TIME_BUDGET)
    return md.convert(text)


def _add_deadline(md: markdown.Markdown, deadline: float) -> None:
    """Check the clock before every block/inline/tree processing step.

    Python-Markdown's slow cases are many repetitions of steps that are each cheap
    (every unmatched "[" scans the rest of the paragraph; every line of a long block
    is split off and the rest re-joined), so checking between steps bounds the total.
    """

    def guarded(step: Callable) -> Callable:
        @functools.wraps(step)
        def check_then_run(*args, **kwargs):
            if time.perf_counter() > deadline:
                raise _OutOfTime
            return step(*args, **kwargs)

        return check_then_run

    for processor in md.parser.blockprocessors:
        processor.test = guarded(processor.test)
        processor.run = guarded(processor.run)
    for pattern in md.inlinePatterns:
        pattern.handleMatch = guarded(pattern.handleMatch)
    for processor in [*md.preprocessors, *md.treeprocessors, *md.postprocessors]:
        processor.run = guarded(processor.run)


def _html_depth(html: str) -> int:
    """Deepest element nesting in Python-Markdown's (well-formed) output."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if self_closing or name.lower() in _VOID_TAGS:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    return deepest


def _escaped_paragraphs(text: str) -> str:
    """The fallback: the text itself, escaped, in flat paragraphs."""
    paragraphs = (p.strip("\n") for p in re.split(r"\n\s*\n", text))
    return "\n".join(
        "<p>" + html_lib.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs if p
    )


# --- PDF -----------------------------------------------------------------------------

# What goes to WeasyPrint is bounded: its layout time grows with the text and steeply with
# table rows, and one export must not hold a worker for minutes. Past these limits the PDF
# says what it shortened; the page keeps the full text.
PDF_MAX_ANSWER_CHARS = 20_000
PDF_MAX_TABLE_ROWS = 200
PDF_MAX_HTML_CHARS = 3_000_000
PDF_MAX_PAGES = 300

_TABLE = re.compile(r"<table>.*?</table>", re.S)
_ROW = re.compile(r"<tr>.*?</tr>", re.S)


class PdfTooLarge(ValueError):
    """Even shortened, the document is more than a PDF may hold; the message says why."""


def render_markdown_for_print(text: str, label: str) -> str:
    """render_markdown for a PDF: long texts and long tables shortened, with a notice saying
    so ("too large to print: answer 3.4 is 99,000 characters; shortened in the PDF")."""
    notices = []
    if len(text) > PDF_MAX_ANSWER_CHARS:
        cut = text.rfind("\n", 0, PDF_MAX_ANSWER_CHARS)
        cut = cut if cut > PDF_MAX_ANSWER_CHARS // 2 else PDF_MAX_ANSWER_CHARS
        notices.append(f"Too large to print: {label} is {len(text):,} characters; shortened in "
                       f"the PDF to the first {cut:,}. The page shows all of it.")
        text = text[:cut]
    try:
        html = render_markdown(text)
    except MarkdownTooLong:
        html = _escaped_paragraphs(text)

    def shorten(table: re.Match) -> str:
        rows = _ROW.findall(table.group(0))
        if len(rows) <= PDF_MAX_TABLE_ROWS:
            return table.group(0)
        notices.append(f"Too large to print: a table in {label} has {len(rows):,} rows; the PDF "
                       f"shows the first {PDF_MAX_TABLE_ROWS}.")
        return "<table>" + "".join(rows[:PDF_MAX_TABLE_ROWS]) + "</table>"

    html = _TABLE.sub(shorten, html)
    notes = "".join(f'<p class="print-notice">{html_lib.escape(n)}</p>' for n in notices)
    return notes + html


def _notice_pages(message: str, base_url: str, url_fetcher):
    page = (f'<html><head><link rel="stylesheet" href="/static/css/print.css"></head><body>'
            f'<p class="print-notice">{html_lib.escape(message)}</p></body></html>')
    return HTML(string=page, base_url=base_url, url_fetcher=url_fetcher).render().pages


# What the fetcher may read besides static files: the printed document's own attachments, as
# {URL path: a function returning (bytes, content type)}.
Attachments = dict[str, Callable[[], tuple[bytes, str]]]


def render_pdf(
    html: str,
    *,
    base_url: str | None = None,
    url_fetcher: URLFetcher | Callable[[str], URLFetcherResponse] | None = None,
    attachments: Attachments | None = None,
) -> bytes:
    """Render a complete HTML document to PDF bytes.

    Leave ``base_url`` alone unless you know why: relative URLs must resolve to
    PDF_BASE_URL, the only host the safe fetcher serves. ``url_fetcher`` is for tests
    (a spy that delegates to ``safe_url_fetcher``); the default is the safe fetcher, which
    also serves ``attachments`` (the document's own files, by their page URL).
    """
    if url_fetcher is None:
        url_fetcher = SafeURLFetcher(attachments=attachments)
    elif not isinstance(url_fetcher, URLFetcher):
        url_fetcher = _CallableFetcher(url_fetcher)
    if len(html) > PDF_MAX_HTML_CHARS:
        raise PdfTooLarge(f"Too large to print: {len(html):,} characters of HTML even after "
                          f"shortening; the limit is {PDF_MAX_HTML_CHARS:,}.")
    base_url = base_url or PDF_BASE_URL
    document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).render()
    if len(document.pages) > PDF_MAX_PAGES:
        extra = _notice_pages(
            f"Too large to print: the document runs to {len(document.pages):,} pages; the PDF "
            f"shows the first {PDF_MAX_PAGES}.", base_url, url_fetcher)
        document = document.copy(document.pages[:PDF_MAX_PAGES] + extra)
    return document.write_pdf()


def safe_url_fetcher(url: str, timeout: float = 10, ssl_context=None, *,
                     attachments: Attachments | None = None) -> URLFetcherResponse:
    """Serve a static file from disk, or one of ``attachments``, for WeasyPrint; refuse
    everything else (media files included: exports and other documents' uploads live there).

    Accepts "/static/..." paths and the attachments' URL paths, as such or on PDF_BASE_URL.
    Nothing goes to the network, so there are no redirects to follow either. ``timeout`` and
    ``ssl_context`` exist only for signature compatibility with WeasyPrint's fetcher.
    """
    path = _local_path(url)
    if attachments and path in attachments:
        data, content_type = attachments[path]()
        if len(data) > MAX_PDF_RESOURCE_BYTES:
            raise URLRefused(f"File too large for a PDF: {url}")
        return URLFetcherResponse(url, data, {"Content-Type": content_type})
    prefix = _url_path(settings.STATIC_URL)
    if not (prefix and path.startswith(prefix)):
        raise URLRefused(f"Only static files and the document's attachments can be used in "
                         f"PDFs: {url[:200]}")
    file = _find_static(_relative(path[len(prefix):], url))
    if file is None:
        raise URLRefused(f"No such static file: {url}")
    if file.stat().st_size > MAX_PDF_RESOURCE_BYTES:
        raise URLRefused(f"File too large for a PDF: {url}")
    mime_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime_type})


class SafeURLFetcher(URLFetcher):
    """WeasyPrint 70 wants a URLFetcher instance; this one only calls safe_url_fetcher."""

    def __init__(self, attachments: Attachments | None = None, **kwargs):
        super().__init__(allow_redirects=False, fail_on_errors=False, **kwargs)
        self._attachments = attachments

    def fetch(self, url, headers=None):
        return safe_url_fetcher(url, attachments=self._attachments)


class _CallableFetcher(URLFetcher):
    """Adapts a plain function (a test spy, say) to WeasyPrint's fetcher class."""

    def __init__(self, function: Callable[[str], URLFetcherResponse]):
        super().__init__(allow_redirects=False, fail_on_errors=False)
        self._function = function

    def fetch(self, url, headers=None):
        return self._function(url)


def _local_path(url: str) -> str:
    """The percent-decoded path of an app URL, or URLRefused."""
    if not isinstance(url, str):
        raise URLRefused(f"Not a URL: {url!r}")
    if url.startswith("/") and not url.startswith("//"):
        path = urlsplit(url).path
    else:
        parts = urlsplit(url)
        base = urlsplit(PDF_BASE_URL)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise URLRefused(f"Only the app's own files can be used in PDFs: {url[:200]}")
        path = parts.path
    return unquote(path)


def _url_path(setting: str | None) -> str:
    return urlsplit(setting or "").path


def _relative(rest: str, url: str) -> str:
    """Refuse traversal and odd characters before touching the file system."""
    segments = rest.split("/")
    if "\\" in rest or "\x00" in rest or any(s in ("", "..", ".") for s in segments):
        raise URLRefused(f"Bad path: {url}")
    return rest


def _inside(file: Path, roots: list[Path]) -> Path | None:
    """The real file if it is a regular file inside one of the roots (symlinks resolved)."""
    real = file.resolve()
    for root in roots:
        if real.is_relative_to(root.resolve()) and real.is_file():
            return real
    return None


def _find_static(relative: str) -> Path | None:
    # Collected files first (production, hashed names), then the finders (development).
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT)
        if found := _inside(root / relative, [root]):
            return found
    found = finders.find(relative)
    return _inside(Path(found), _finder_roots()) if found else None


def _finder_roots() -> list[Path]:
    roots = []
    for finder in finders.get_finders():
        storages = list(getattr(finder, "storages", {}).values())
        storages += [finder.storage] if hasattr(finder, "storage") else []
        roots += [Path(s.location) for s in storages if getattr(s, "location", None)]
    return roots
