"""The ORR overview and sections are drawn once for everyone who only reads them
(opsreview/fragments.py): an autosave shows at once, editors never get a reader's page, and
readers who may name different COEs under a question get different cards."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragments_on")]


def view(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), getattr(response.wsgi_request, "shared_fragments", "")


def test_readers_share_the_overview_and_sections_and_see_an_autosave_at_once(
        client, review, author, ops_lead, second_lead):
    answer = review.answers.select_related("question__section").first()
    section = reverse("orr:section", args=[review.code, answer.question.section.key])
    overview = reverse("orr:detail", args=[review.code])
    for url in (overview, section):
        client.force_login(ops_lead)
        assert view(client, url)[1] == "-"
        client.force_login(second_lead)
        assert view(client, url)[1] == "+"

    editor = Client()
    editor.force_login(author)
    saved = editor.post(reverse("orr:answer_save", args=[review.code, answer.pk]),
                        {f"q{answer.pk}-revision": answer.revision,
                         f"q{answer.pk}-text": "Alarms page the on-call within a minute.",
                         f"q{answer.pk}-risk": "none"}, HTTP_ACCEPT="application/json")
    assert saved.status_code == 200
    page, drawn = view(client, section)
    assert drawn == "-" and "Alarms page the on-call within a minute." in page
    page, drawn = view(client, overview)
    assert drawn == "-"


def test_editors_never_get_a_readers_section(client, review, author, ops_lead):
    answer = review.answers.select_related("question__section").first()
    section = reverse("orr:section", args=[review.code, answer.question.section.key])
    client.force_login(ops_lead)
    reader_page, _ = view(client, section)
    assert f'name="q{answer.pk}-text"' not in reader_page
    client.force_login(author)
    editor_page, drawn = view(client, section)
    assert drawn == "" and f'name="q{answer.pk}-text"' in editor_page
