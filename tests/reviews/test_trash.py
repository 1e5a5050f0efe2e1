from django.urls import reverse

from reviews.models import Document
from reviews.services import document_submit


def test_author_deletes_a_draft_and_restores_it(client, review, author):
    client.force_login(author)
    response = client.post(reverse("reviews:delete", args=[review.code]))
    assert response.status_code == 302
    assert client.get(review.get_absolute_url()).status_code == 404
    assert review.code in client.get(reverse("reviews:trash")).content.decode()
    client.post(reverse("reviews:restore", args=[review.code]))
    assert client.get(review.get_absolute_url()).status_code == 200
    assert list(Document.objects.get(pk=review.pk).events.values_list("verb", flat=True))[-2:] \
        == ["deleted", "restored"]


def test_a_submitted_document_cannot_be_deleted(client, ready_review, author):
    document_submit(document=ready_review, by=author)
    client.force_login(author)
    assert client.post(reverse("reviews:delete", args=[ready_review.code])).status_code == 403


def test_outsider_can_neither_delete_nor_restore(client, review, author, outsider):
    client.force_login(outsider)
    assert client.post(reverse("reviews:delete", args=[review.code])).status_code == 404
    review.soft_delete(by=author)
    assert client.post(reverse("reviews:restore", args=[review.code])).status_code == 404
    assert review.code not in client.get(reverse("reviews:trash")).content.decode()


def test_delete_and_restore_refuse_get(client, review, author):
    client.force_login(author)
    assert client.get(reverse("reviews:delete", args=[review.code])).status_code == 405
    assert client.get(reverse("reviews:restore", args=[review.code])).status_code == 405
