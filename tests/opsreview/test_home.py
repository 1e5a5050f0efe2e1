from django.urls import reverse

from actions.models import ActionItem
from reviews.services import document_submit


def test_home_shows_my_drafts_and_items(client, review, author, today):
    ActionItem.objects.create(title="Alarm on p99 > 800 ms", owner=author, team=review.service.team,
                              due_date=today, document=review)
    client.force_login(author)
    content = client.get(reverse("home")).content.decode()
    assert review.code in content
    assert "Alarm on p99 &gt; 800 ms" in content
    assert "Checkout API" in content  # my team's services


def test_reviewer_home_lists_what_waits_for_them(client, ready_review, author, reviewer):
    document_submit(document=ready_review, by=author)
    client.force_login(reviewer)
    content = client.get(reverse("home")).content.decode()
    assert "Waiting for my review" in content and ready_review.code in content


def test_only_ops_leads_see_the_organisation_figures(client, author, ops_lead, db):
    client.force_login(ops_lead)
    assert "COEs opened" in client.get(reverse("home")).content.decode()
    client.force_login(author)
    assert "COEs opened" not in client.get(reverse("home")).content.decode()
