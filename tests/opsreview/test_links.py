"""Links in e-mails and API answers point where the app is served; the favicon is there."""

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from opsreview.links import DEFAULT_SITE_URL, RequestBaseMiddleware, site_url


def _served_on(host: str) -> str:
    middleware = RequestBaseMiddleware(lambda request: HttpResponse(site_url()))
    return middleware(RequestFactory().get("/", HTTP_HOST=host)).content.decode()


def test_without_site_url_work_done_in_a_request_links_to_its_address(settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    # E-mails sent while answering a request (eager tasks, notifications) use its address.
    assert _served_on("localhost:8101") == "http://localhost:8101"
    assert site_url() == DEFAULT_SITE_URL  # outside any request: the default


def test_site_url_wins_when_set(settings):
    settings.SITE_URL = "https://ops.example.com"
    assert _served_on("localhost:8101") == "https://ops.example.com"
    assert site_url() == "https://ops.example.com"


@pytest.mark.django_db(transaction=True)
def test_a_notification_mail_sent_in_a_request_links_to_that_address(
        client, settings, mailoutbox, questionnaires, review, author, reviewer):
    # A real commit: the e-mail is queued when the assignment commits, inside the request.
    settings.SITE_URL = ""
    author.email, reviewer.email = "a@example.com", "r@example.com"
    reviewer.save()
    client.force_login(author)
    client.post(reverse("orr:assign", args=[review.code]), {"reviewer": reviewer.pk},
                HTTP_HOST="127.0.0.1:8101")
    assert mailoutbox, "the reviewer is told by e-mail"
    assert f"http://127.0.0.1:8101/orr/{review.code}/" in mailoutbox[-1].body


def test_every_page_has_the_favicon(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert finders.find("favicon.svg")
