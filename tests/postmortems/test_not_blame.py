"""A writer marks a wording finding on a factor "not blame" (quoted / about a system), with a
reason reviewers see; the finding then stops counting for the gates."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from postmortems import gates, services
from postmortems.models import ContributingFactor


@pytest.fixture
def quoted_factor(coe):
    # "calls it" is not one of the rejection markers: the check blocks, the writer knows better.
    factor = ContributingFactor.objects.create(
        postmortem=coe, category="tooling",
        text="The vendor's report blamed operator error for the console outage.")
    return factor


def test_marking_a_finding_not_blame_clears_the_gates_and_keeps_a_note(quoted_factor, author):
    coe = quoted_factor.postmortem
    assert gates.no_blame_wording(coe) is not None
    assert gates.no_human_error_leaf(coe) is not None
    rule_ids = {f.rule_id for f in services.factor_findings(quoted_factor)}
    for rule_id in sorted(rule_ids):
        services.factor_mark_not_blame(factor=quoted_factor, by=author, rule_id=rule_id,
                                       kind="quoted", reason="We quote the vendor's report.")
    quoted_factor.refresh_from_db()
    assert gates.no_blame_wording(coe) is None
    assert gates.no_human_error_leaf(coe) is None
    note = quoted_factor.wording_overrides[0]
    assert (note["kind"], note["by"], note["reason"]) == (
        "quoted", author.username, "We quote the vendor's report.")
    assert coe.events.filter(verb="commented").exists()


def test_a_reason_is_required_and_the_finding_must_exist(quoted_factor, author):
    rule_id = services.factor_findings(quoted_factor)[0].rule_id
    with pytest.raises(ValidationError, match="Say why"):
        services.factor_mark_not_blame(factor=quoted_factor, by=author, rule_id=rule_id,
                                       kind="quoted", reason="  ")
    with pytest.raises(ValidationError, match="not on this factor"):
        services.factor_mark_not_blame(factor=quoted_factor, by=author, rule_id="effort",
                                       kind="system", reason="x")
    with pytest.raises(ValidationError, match="quoted or about a system"):
        services.factor_mark_not_blame(factor=quoted_factor, by=author, rule_id=rule_id,
                                       kind="rude", reason="x")


def test_the_page_offers_the_mark_and_shows_the_note(client, quoted_factor, author):
    coe = quoted_factor.postmortem
    client.force_login(author)
    page = client.get(coe.get_absolute_url()).content.decode()
    assert "is not blame…" in page
    rule_id = services.factor_findings(quoted_factor)[0].rule_id
    url = reverse("postmortems:factor_not_blame", args=[coe.code, quoted_factor.pk])
    response = client.post(url, {"rule_id": rule_id, "kind": "system",
                                 "reason": "It describes the console, not a person."})
    assert response.status_code == 302
    page = client.get(coe.get_absolute_url()).content.decode()
    assert "Marked not blame (about a system) by" in page
    assert "It describes the console, not a person." in page


def test_the_view_refuses_an_empty_reason_with_a_message(client, quoted_factor, author):
    coe = quoted_factor.postmortem
    client.force_login(author)
    url = reverse("postmortems:factor_not_blame", args=[coe.code, quoted_factor.pk])
    rule_id = services.factor_findings(quoted_factor)[0].rule_id
    response = client.post(url, {"rule_id": rule_id, "kind": "quoted", "reason": ""},
                           follow=True)
    assert "Not marked" in response.content.decode()
    quoted_factor.refresh_from_db()
    assert quoted_factor.wording_overrides == []
