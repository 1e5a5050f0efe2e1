"""Proposals from COEs: provenance through accept, publish; merge; decline with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learning import proposals
from learning.models import Proposal
from notifications.models import Notification
from reviews.models import Question, Questionnaire
from tests.learning.conftest import PROPOSAL

pytestmark = pytest.mark.django_db


def test_only_an_approved_coe_takes_proposals(approved_coe, lesson, author):
    from reviews.models import Document

    Document.objects.filter(pk=approved_coe.pk).update(state="draft")
    approved_coe.refresh_from_db()
    with pytest.raises(PermissionDenied):
        proposals.propose(postmortem=approved_coe, lesson=lesson, by=author, **PROPOSAL)


def test_an_outsider_cannot_propose_from_a_coe_they_cannot_see(approved_coe, lesson, outsider):
    approved_coe.restricted = True
    approved_coe.save(update_fields=["restricted"])
    with pytest.raises(PermissionDenied):
        proposals.propose(postmortem=approved_coe, lesson=lesson, by=outsider, **PROPOSAL)


def test_accept_puts_the_question_into_a_draft_with_provenance(proposal, ops_lead):
    question = proposals.accept(proposal, by=ops_lead)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    draft = question.section.version
    assert draft.status == "draft" and proposal.version == draft
    assert question.key == proposal.question_key and question.help == PROPOSAL["guidance"]
    assert question.risk_rules == {"no": "high"}
    draft.publish()  # the lint passes: guidance and risk rule came with the proposal
    # Provenance survives publishing and the next copy (keys are stable).
    v3 = draft.copy_as_draft()
    found = proposals.provenance(v3.questionnaire_id, [question.key])
    assert [p.pk for p in found[question.key]] == [proposal.pk]
    assert found[question.key][0].version.number == draft.number
    assert Notification.objects.filter(user=proposal.proposer, verb="proposal",
                                       message__contains="accepted").exists()


def test_merge_adds_guidance_to_an_existing_question(proposal, ops_lead):
    question = proposals.merge(proposal, by=ops_lead, into_key="customer-view")
    assert f"From {proposal.postmortem.code}: {PROPOSAL['guidance']}" in question.help
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.MERGED and proposal.question_key == "customer-view"


def test_decline_needs_a_reason_the_proposer_sees(proposal, ops_lead):
    with pytest.raises(ValidationError):
        proposals.decline(proposal, by=ops_lead, reason="  ")
    proposals.decline(proposal, by=ops_lead, reason="Covered by the load-test question.")
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    note = Notification.objects.get(user=proposal.proposer, verb="proposal")
    assert "Covered by the load-test question." in note.message


def test_only_ops_leads_decide_and_only_once(proposal, author, ops_lead):
    with pytest.raises(PermissionDenied):
        proposals.accept(proposal, by=author)
    proposals.decline(proposal, by=ops_lead, reason="No.")
    with pytest.raises(ValidationError):
        proposals.accept(proposal, by=ops_lead)


def test_two_accepts_share_one_draft(proposal, lesson, author, ops_lead):
    second = proposals.propose(postmortem=lesson.postmortem, lesson=lesson, by=author,
                               **{**PROPOSAL, "text": "Is pool exhaustion alarmed?"})
    q1 = proposals.accept(proposal, by=ops_lead)
    q2 = proposals.accept(second, by=ops_lead)
    assert q1.section.version_id == q2.section.version_id
    orr = Questionnaire.objects.get(kind="orr")
    assert orr.versions.filter(status="draft").count() == 1
    assert Question.objects.filter(section__version_id=q1.section.version_id).count() == 95


# The queue's query count at 10 and 1,000 COEs: tests/learning/test_scale_queries.py.


def test_proposer_sees_the_decline_reason_on_the_queue(proposal, author, ops_lead, client):
    from django.urls import reverse

    proposals.decline(proposal, by=ops_lead, reason="Already asked under load tests.")
    client.force_login(author)
    page = client.get(reverse("learning:proposals")).content.decode()
    assert "Already asked under load tests." in page


def test_propose_page_keeps_input_on_error(approved_coe, lesson, author, client):
    from django.urls import reverse

    client.force_login(author)
    url = reverse("learning:propose", args=[approved_coe.code]) + f"?lesson={lesson.pk}"
    response = client.post(url, {"lesson": lesson.pk, "section_key": "architecture",
                                 "text": "Is the pool bounded?", "guidance": "g",
                                 "kind": "yes_no", "risk_rules_text": "maybe: high",
                                 "why": "w"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not an answer" in body and "Is the pool bounded?" in body
    assert not Proposal.objects.exists()


def test_provenance_of_a_restricted_coe_is_not_named_to_outsiders(proposal, ops_lead, author,
                                                                  outsider, client):
    from django.urls import reverse

    question = proposals.accept(proposal, by=ops_lead)
    coe = proposal.postmortem
    coe.restricted = True
    coe.save(update_fields=["restricted"])
    url = reverse("learning:version", args=["orr", question.section.version.number])
    client.force_login(outsider)
    page = client.get(url).content.decode()
    assert coe.code not in page and "after a restricted COE" in page
    client.force_login(author)  # the owning team sees its own restricted COE
    assert f">{coe.code}</a>" in client.get(url).content.decode()


def test_readers_who_may_name_different_coes_get_different_shared_cards(proposal, ops_lead,
                                                                        author, outsider):
    """The ORR section's shared cards are keyed on what the origin line shows each reader
    (learning_tags.Origins), so an outsider never gets cards naming a restricted COE."""
    from learning.templatetags.learning_tags import Origins

    question = proposals.accept(proposal, by=ops_lead)
    section = question.section.pk
    open_key = repr(Origins(proposals.origins_of_section(section, outsider)))
    assert open_key == repr(Origins(proposals.origins_of_section(section, author)))
    coe = proposal.postmortem
    coe.restricted = True
    coe.save(update_fields=["restricted"])
    hidden = repr(Origins(proposals.origins_of_section(section, outsider)))
    named = repr(Origins(proposals.origins_of_section(section, author)))
    assert hidden != named and str(proposal.pk) in hidden
