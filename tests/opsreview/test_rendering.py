"""opsreview.rendering: sanitised Markdown, bounded work on hostile input, safe PDF fetching."""

from __future__ import annotations

import html
import io
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import pytest
from django.template import Context, Template
from pypdf import PdfReader

from opsreview import rendering
from opsreview.rendering import (
    ALLOWED_TAGS,
    MAX_MARKDOWN_CHARS,
    MAX_NESTING,
    PDF_BASE_URL,
    MarkdownTooLong,
    URLRefused,
    render_markdown,
    render_pdf,
    render_plain,
    safe_url_fetcher,
)

VECTORS_FILE = Path(__file__).with_name("xss_vectors.txt")
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# What a browser's URL parser ignores (WHATWG URL): tab and newlines anywhere,
# C0 controls and spaces at both ends.
C0_AND_SPACE = "".join(map(chr, range(0x21)))
TIME_LIMIT = 3.0  # generous: only catches blow-ups, benchmarks live elsewhere


def load_vectors() -> list[str]:
    text = VECTORS_FILE.read_text(encoding="utf-8")
    return [v.strip("\n") for v in re.split(r"^---$", text, flags=re.MULTILINE) if v.strip()]


VECTORS = load_vectors()


class Audit(HTMLParser):
    """Collects every tag and attribute of a fragment, and the nesting depth."""

    VOID = {"br", "hr", "img"}

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.depth = self.max_depth = 0
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth -= 1


def url_is_safe(value: str) -> bool:
    # html.parser already decoded entities once, as a browser does; decode once more too,
    # so output that is only safe until someone double-decodes it also fails.
    for candidate in (value, html.unescape(value)):
        match = SCHEME.match(re.sub(r"[\t\n\r]", "", candidate).strip(C0_AND_SPACE))
        if match and match[1].lower() not in SAFE_SCHEMES:
            return False
    return True


def assert_safe(fragment: str) -> None:
    for tag, attrs in Audit(fragment).tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> in {fragment!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} on <{tag}> in {fragment!r}"
            assert name not in {"style", "class", "id", "colspan", "rowspan"}, fragment
            if name in {"href", "src"}:
                assert url_is_safe(value or ""), f"{name}={value!r} in {fragment!r}"
        if tag == "a" and "href" in attrs:
            assert "noopener" in (attrs.get("rel") or "").split(), fragment


# --- XSS corpus -----------------------------------------------------------------------


def test_corpus_is_big_enough():
    assert len(VECTORS) >= 60


@pytest.mark.parametrize("vector", VECTORS, ids=[f"v{i:02d}" for i in range(len(VECTORS))])
def test_xss_vector_is_neutralised(vector):
    assert_safe(render_markdown(vector))


def test_every_vector_through_the_pdf_path(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    body = "\n<hr>\n".join(render_markdown(v) for v in VECTORS)
    spy = SpyFetcher()
    pdf = render_pdf(f"<!doctype html><html><body>{body}</body></html>", url_fetcher=spy)
    assert pdf.startswith(b"%PDF")
    # The sanitiser already removed javascript:, data:, file: ... URLs, so only http(s)
    # image URLs can reach the fetcher, and it served nothing outside static/media.
    assert all(urlsplit(url).scheme in {"http", "https"} for url, _ in spy.calls), spy.calls
    assert not [url for url, served in spy.calls if served and not is_app_file(url)]


# --- Markdown output ------------------------------------------------------------------


def test_basic_markdown():
    assert render_markdown("**bold** [link](https://example.com)") == (
        '<p><strong>bold</strong> <a href="https://example.com" '
        'rel="noopener noreferrer nofollow">link</a></p>'
    )


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


def test_mailto_allowed_ftp_refused():
    assert 'href="mailto:a@example.com"' in render_markdown("[m](mailto:a@example.com)")
    out = render_markdown("[f](ftp://example.com/x)")
    assert "href" not in out and ">f</a>" in out


def test_relative_urls_allowed():
    out = render_markdown("[svc](/catalog/services/1/) ![d](/media/diagram.png)")
    assert 'href="/catalog/services/1/"' in out and 'src="/media/diagram.png"' in out


def test_table_keeps_align_only():
    out = render_markdown("| a | b |\n|:-:|---|\n| 1 | 2 |")
    assert '<th align="center">a</th>' in out and "style" not in out


def test_colspan_rowspan_and_style_stripped():
    cleaned = rendering._CLEANER.clean(
        '<table><tr><td colspan="500" rowspan="500" style="x" align="left">x</td></tr></table>'
    )
    assert cleaned == '<table><tbody><tr><td align="left">x</td></tr></tbody></table>'
    assert_safe(render_markdown("# h {: colspan=9 style='color:red' class=c id=x }"))


def test_control_characters_removed():
    # \x02/\x03 are Python-Markdown's own placeholder markers.
    assert render_markdown("a\x00b\x02wzxhzdk:0\x03c") == "<p>abwzxhzdk:0c</p>"


def test_empty_text():
    assert render_markdown("") == ""


# --- Pathological input ---------------------------------------------------------------


def timed(text: str) -> str:
    # CPU time of this process: the bound is about the work the renderer does, not about how
    # busy the machine running the suite happens to be.
    start = time.process_time()
    out = render_markdown(text)
    elapsed = time.process_time() - start
    assert elapsed < TIME_LIMIT, f"{elapsed:.2f}s"
    return out


def lines_each_one_quote_deeper(count: int) -> str:
    return "\n".join(">" * depth + " x" for depth in range(1, count + 1))


def largest_staircase_within_cap() -> str:
    count = 1
    while len(lines_each_one_quote_deeper(count + 1)) <= MAX_MARKDOWN_CHARS:
        count += 1
    return lines_each_one_quote_deeper(count)


HEADER = "|" + "|".join(f"h{i}" for i in range(20)) + "|\n|" + "---|" * 20 + "\n"
PATHOLOGICAL = {
    "5000 nested quotes": ">" * 5000 + " x",
    "quote staircase": largest_staircase_within_cap(),
    "spaced quotes": "> " * 5000 + "x",
    "100k line": ("word " * 20_000)[:MAX_MARKDOWN_CHARS],
    "20000 [": "[" * 20_000,
    "20000 ![": "![" * 20_000,
    "20000 [ on lines": "[\n" * 20_000,
    "nested links": "[" * 5_000 + "a" + "](x)" * 5_000,
    "unclosed links": "[a](" * 20_000,
    "3000 nested lists": "- " * 3_000 + "x",
    "3000 nested ordered lists": "1. " * 3_000 + "x",
    "indented lists": "\n".join(" " * 4 * i + "- x" for i in range(220)),
    "quotes in lists": "> - " * 2_000 + "x",
    "nested emphasis": "*_" * 10_000 + "x" + "_*" * 10_000,
    "emphasis runs": "***a" * 20_000,
    "definition lists": "a\n: " * 20_000,
    "setext headings": "a\n=\n" * 20_000,
    "abbreviations": "\n".join(f"*[A{i}]: b" for i in range(4_000)) + "\n\nA1",
    "huge table": HEADER + ("|" + "c|" * 20 + "\n") * 2_000,
    "backslashes": "\\" * MAX_MARKDOWN_CHARS,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_bounded(text):
    assert len(text) <= MAX_MARKDOWN_CHARS
    out = timed(text)
    assert Audit(out).max_depth <= MAX_NESTING
    assert_safe(out)


def test_deep_quotes_fall_back_to_flat_text():
    out = timed(">" * 5000 + " x")
    assert "<blockquote>" not in out and out.startswith("<p>&gt;&gt;&gt;")


def test_too_long_text_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(MarkdownTooLong, match="200,000 characters long; the limit is 100,000"):
        render_markdown("x" * 200_000)
    with pytest.raises(MarkdownTooLong):
        render_markdown(lines_each_one_quote_deeper(5000))  # 12.5M characters
    assert time.perf_counter() - start < 1
    assert issubclass(MarkdownTooLong, ValueError)


def test_text_at_the_limit_renders():
    out = timed("a" * MAX_MARKDOWN_CHARS)
    assert out == "<p>" + "a" * MAX_MARKDOWN_CHARS + "</p>"


def test_recursion_error_falls_back_to_escaped_text(monkeypatch):
    def explode(self, source):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(markdown.Markdown, "convert", explode)
    assert render_markdown("<b>x</b> *y*\n\nnext") == "<p>&lt;b&gt;x&lt;/b&gt; *y*</p>\n<p>next</p>"


def test_time_budget_falls_back_to_escaped_text(monkeypatch):
    monkeypatch.setattr(rendering, "MARKDOWN_TIME_BUDGET", 0.0)
    assert render_markdown("**x**\nline") == "<p>**x**<br>\nline</p>"


# --- Plain text -----------------------------------------------------------------------


def test_render_plain():
    assert render_plain("  **Hi** <b>\x00\x1b[31m\r\nnext\x7f  ") == "**Hi** <b>[31m\nnext"


# --- Template filter ------------------------------------------------------------------


def test_markdown_filter_renders_and_sanitises():
    template = Template("{% load markdown %}<div>{{ text|markdown }}</div>")
    out = template.render(Context({"text": "**x** <script>alert(1)</script> [a](javascript:x)"}))
    assert "<strong>x</strong>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "javascript:" not in out
    assert "&amp;lt;" not in out  # not escaped twice


def test_markdown_filter_handles_none_and_too_long():
    template = Template("{% load markdown %}{{ text|markdown }}")
    assert template.render(Context({"text": None})) == ""
    out = template.render(Context({"text": "<b>" + "x" * MAX_MARKDOWN_CHARS}))
    assert out.startswith("<p>&lt;b&gt;xxx")


# --- PDF fetcher ----------------------------------------------------------------------


class SpyFetcher:
    """Records each URL WeasyPrint asks for and whether the safe fetcher served it."""

    def __init__(self):
        self.calls: list[tuple[str, bool]] = []

    def __call__(self, url):
        try:
            response = safe_url_fetcher(url)
        except URLRefused:
            self.calls.append((url, False))
            raise
        self.calls.append((url, True))
        return response


def is_app_file(url: str) -> bool:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" == PDF_BASE_URL and parts.path.startswith(
        ("/static/", "/media/")
    )


@pytest.fixture
def roots(settings, tmp_path):
    """Empty STATIC_ROOT and MEDIA_ROOT under tmp_path, with a few files."""
    static, media = tmp_path / "static", tmp_path / "media"
    (static / "css").mkdir(parents=True)
    media.mkdir()
    (static / "css" / "print.css").write_text('body::before { content: "FROM-CSS"; }')
    (media / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" '
        'height="4"/></svg>'
    )
    (tmp_path / "secret.txt").write_text("secret")
    settings.STATIC_URL = "/static/"
    settings.MEDIA_URL = "/media/"
    settings.STATIC_ROOT = static
    settings.MEDIA_ROOT = media
    settings.STATICFILES_DIRS = []
    return tmp_path


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://169.254.169.254/latest",
        "file:///etc/passwd",
        "https://opsreview.invalid/static/../../etc/passwd",
        "https://opsreview.invalid/static/%2e%2e/secret.txt",
        "https://opsreview.invalid/static//etc/passwd",
        "/media/../settings.py",
        "/media/..%2fsecret.txt",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://user@opsreview.invalid/static/css/print.css",
        "http://opsreview.invalid/static/css/print.css",
        "https://opsreview.invalid:8443/static/css/print.css",
        "//opsreview.invalid/static/css/print.css",
        "https://opsreview.invalid/secret.txt",
        "/static/css/missing.css",
        # Media holds exports and every document's uploads: never read by path.
        "/media/dot.svg",
        "https://opsreview.invalid/media/dot.svg",
        "/coe/COE-1/attachments/1/",
    ],
)
def test_fetcher_refuses(roots, url):
    with pytest.raises(URLRefused):
        safe_url_fetcher(url)


def test_fetcher_serves_static_and_the_given_attachments(roots):
    css = safe_url_fetcher("/static/css/print.css")
    assert css.content_type == "text/css" and b"FROM-CSS" in css.read()
    own = {"/coe/COE-1/attachments/7/": lambda: (b"\x89PNG-bytes", "image/png")}
    png = safe_url_fetcher(PDF_BASE_URL + "coe/COE-1/attachments/7/", attachments=own)
    assert png.content_type == "image/png" and png.read() == b"\x89PNG-bytes"
    with pytest.raises(URLRefused):
        safe_url_fetcher("/coe/COE-1/attachments/8/", attachments=own)


def test_fetcher_serves_from_staticfiles_dirs(roots, settings):
    source = roots / "source_static"
    source.mkdir()
    (source / "app.css").write_text("p {}")
    settings.STATICFILES_DIRS = [source]
    assert safe_url_fetcher("/static/app.css").read() == b"p {}"


def test_fetcher_refuses_symlink_out_of_root(roots):
    (roots / "media" / "link.txt").symlink_to(roots / "secret.txt")
    (roots / "static" / "link.txt").symlink_to(roots / "secret.txt")
    with pytest.raises(URLRefused):
        safe_url_fetcher("/static/link.txt")


def test_pdf_uses_app_files_and_refuses_the_rest(roots):
    spy = SpyFetcher()
    pdf = render_pdf(
        '<html><head><link rel="stylesheet" href="/static/css/print.css"></head><body>'
        '<img src="/media/dot.svg"><img src="file:///etc/passwd">'
        '<img src="http://127.0.0.1:1/x"><p>body text</p></body></html>',
        url_fetcher=spy,
    )
    assert pdf.startswith(b"%PDF")
    assert spy.calls == [
        (PDF_BASE_URL + "static/css/print.css", True),
        (PDF_BASE_URL + "media/dot.svg", False),
        ("file:///etc/passwd", False),
        ("http://127.0.0.1:1/x", False),
    ]
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "FROM-CSS" in text and "body text" in text


def test_pdf_default_fetcher_refuses_outside_urls(roots, caplog):
    pdf = render_pdf('<img src="http://127.0.0.1:1/x"><p>still renders</p>')
    assert pdf.startswith(b"%PDF")
    assert "URLRefused" in caplog.text


def test_user_markdown_image_is_not_fetched_in_pdf(roots):
    spy = SpyFetcher()
    body = render_markdown("![x](http://169.254.169.254/latest/meta-data) ![y](/media/dot.svg)")
    pdf = render_pdf(f"<body>{body}</body>", url_fetcher=spy)
    assert pdf.startswith(b"%PDF")
    assert spy.calls == [
        ("http://169.254.169.254/latest/meta-data", False),
        (PDF_BASE_URL + "media/dot.svg", False),
    ]


def test_repeated_text_is_rendered_once(monkeypatch):
    calls = []
    real = rendering._convert
    monkeypatch.setattr(rendering, "_convert", lambda text: calls.append(text) or real(text))
    text = "A **cached** answer that no other test uses."
    first = render_markdown(text)
    assert render_markdown(text) == first
    assert calls == [text]


def test_a_fallback_is_not_remembered(monkeypatch):
    text = "An answer rendered while the machine was busy."

    def slow(_text):
        raise rendering._OutOfTime

    monkeypatch.setattr(rendering, "_convert", slow)
    assert "<strong>" not in render_markdown(text)
    monkeypatch.undo()
    assert text not in rendering._CACHE
