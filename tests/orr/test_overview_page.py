"""The ORR overview as drawn for its editors and its readers."""

import pytest
from django.urls import reverse

UPGRADE = "is published. <a"


@pytest.mark.django_db
def test_only_the_editors_of_a_draft_are_offered_a_newer_questionnaire(client, review, author,
                                                                       ops_lead):
    review.version.copy_as_draft().publish()
    url = reverse("orr:detail", args=[review.code])
    client.force_login(author)
    page = client.get(url).content.decode()
    assert UPGRADE in page and reverse("orr:upgrade", args=[review.code]) in page
    client.force_login(ops_lead)  # sees every ORR, edits none of another team's
    response = client.get(url)
    assert response.status_code == 200 and review.code in response.content.decode()
    assert UPGRADE not in response.content.decode()
