"""The COE page's parts are drawn once for everyone who only reads it (opsreview/fragments.py):
a change shows at once, editors and deciders never get a reader's page, nobody gets another
person's CSRF token, and the similar factors stay each reader's own."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ..learning.test_similarity import POOL, POOL_AGAIN, quick_coe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragments_on")]


def main(page: str) -> str:
    """The page below the navigation, without its CSRF tokens."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.split("<main", 1)[1])


def view(client, coe):
    response = client.get(reverse("postmortems:detail", args=[coe.code]))
    assert response.status_code == 200
    return response.content.decode(), getattr(response.wsgi_request, "shared_fragments", "")


def test_readers_share_the_page_and_see_a_change_at_once(client, coe, author, ops_lead,
                                                         second_lead):
    client.force_login(ops_lead)
    first, drawn = view(client, coe)
    assert drawn == "--"  # the main column and the sidebar, drawn
    client.force_login(second_lead)
    again, drawn = view(client, coe)
    assert drawn == "++"  # another reader: both from the cache
    assert main(again) == main(first)  # the same page but for the navigation and tokens

    answer = coe.answers.get(question__key="summary")
    author_client = Client()
    author_client.force_login(author)
    saved = author_client.post(
        reverse("postmortems:answer_save", args=[coe.code, answer.pk]),
        {f"q{answer.pk}-revision": answer.revision,
         f"q{answer.pk}-text": "Checkout failed for 41 minutes."},
        HTTP_ACCEPT="application/json")
    assert saved.status_code == 200
    page, drawn = view(client, coe)
    assert drawn == "--" and "Checkout failed for 41 minutes." in page


def test_editors_and_deciders_never_get_a_readers_page(client, coe, author, ops_lead):
    client.force_login(ops_lead)
    reader_page, _ = view(client, coe)
    assert "Submit to the committee" not in reader_page
    client.force_login(author)
    editor_page, drawn = view(client, coe)
    assert drawn == "" and "Submit to the committee" in editor_page


def test_each_reader_posts_with_their_own_csrf_token(coe, ops_lead, second_lead):
    for lead in (ops_lead, second_lead):
        client = Client(enforce_csrf_checks=True)
        client.force_login(lead)
        page, _ = view(client, coe)
        action = reverse("reports:export_create", args=[coe.code])
        export = re.search(rf'action="{action}" data-export>'
                           r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert export, "the export form and its token"
        response = client.post(reverse("reports:export_create", args=[coe.code]),
                               {"csrfmiddlewaretoken": export[1]})
        assert response.status_code != 403


def test_similar_factors_stay_each_readers_own(checkout, author, outsider, client):
    hidden = quick_coe(checkout, author, POOL, restricted=True)
    later = quick_coe(checkout, author, POOL_AGAIN, days=30)
    client.force_login(author)  # in the team, and the COE is approved: a reader
    page, drawn = view(client, later)
    assert drawn == "--" and f"Similar factors in {hidden.code}" in page
    client.force_login(outsider)
    page, drawn = view(client, later)
    assert drawn == "++" and hidden.code not in page
