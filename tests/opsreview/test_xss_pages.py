"""The XSS corpus stored as real answers and rendered by the real pages comes out inert."""

from django.urls import reverse

from reviews.services import document_submit

from .test_rendering import VECTORS, Audit, url_is_safe

FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "math", "style"}


def assert_page_inert(html: str) -> None:
    for tag, attrs in Audit(html).tags:
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> on the page"
        if tag == "meta":
            assert "http-equiv" not in attrs, f"<meta {attrs}> on the page"
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), f"inline script {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} on <{tag}>"
            if name in {"href", "src", "action", "formaction"}:
                assert url_is_safe(value or ""), f"{name}={value!r} on <{tag}>"


def test_every_vector_is_inert_on_the_review_pages(client, ready_review, author, reviewer):
    answers = list(ready_review.answers.order_by("question__section__order", "question__order"))
    for i, answer in enumerate(answers):
        text = "\n\n".join(VECTORS[j] for j in range(i, len(VECTORS), len(answers)))
        answer.save_if_current(base_revision=answer.revision, by=author, text=text)
    document_submit(document=ready_review, by=author)
    client.force_login(reviewer)  # read-only view: answers rendered through Markdown
    for section in ready_review.version.sections.all():
        page = client.get(reverse("orr:section", args=[ready_review.code, section.key]))
        assert page.status_code == 200
        assert_page_inert(page.content.decode())
    assert_page_inert(client.get(ready_review.get_absolute_url()).content.decode())
