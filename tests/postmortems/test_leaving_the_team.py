"""Access follows current membership (and the committee), not authorship alone."""

import datetime as dt

from django.urls import reverse

from catalog.models import Membership
from postmortems import services as pm
from tests.conftest import join


def test_an_author_who_leaves_the_team_loses_the_restricted_coe_and_the_draft(
        client, questionnaires, checkout, payments, author, reviewer, review):
    coe = pm.postmortem_create(
        service=checkout, by=author, title="Key leak", incident_tz="UTC", severity=1,
        incident_start=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), committee=[reviewer],
        restricted=True,
    )
    client.force_login(author)
    coe_url = reverse("postmortems:detail", args=[coe.code])
    orr_url = reverse("orr:detail", args=[review.code])
    assert client.get(coe_url).status_code == 200
    assert client.get(orr_url).status_code == 200

    Membership.objects.filter(user=author, team=payments).delete()
    client.force_login(author)  # a fresh session: roles are read again
    assert client.get(coe_url).status_code == 404
    assert client.get(orr_url).status_code == 404
    assert "Key leak" not in client.get(reverse("postmortems:list")).content.decode()
    assert review.title not in client.get("/").content.decode()

    join(author, payments)
    client.force_login(author)
    assert client.get(coe_url).status_code == 200
