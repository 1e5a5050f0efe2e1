"""People involved in a COE: kept on the edit page, handed to the wording check."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from postmortems import gates, services
from postmortems.forms import PostmortemForm
from postmortems.models import ContributingFactor, Participant


def test_participant_names_include_the_author_and_linked_users(coe, author, django_user_model):
    priya = django_user_model.objects.create_user(
        "pshah", password="x", first_name="Priya", last_name="Shah")
    Participant.objects.create(coe=coe, user=priya, name="Priya Shah",
                               role=Participant.Role.RESPONDER)
    Participant.objects.create(coe=coe, name="Tomasz Nowak")
    names = services.participant_names(coe.pk)
    assert {"Priya Shah", "pshah", "Tomasz Nowak", author.username} <= set(names)


def test_set_participants_adds_removes_and_links_usernames(coe, author, django_user_model):
    django_user_model.objects.create_user("pshah", password="x")
    assert services.set_participants(postmortem=coe, by=author, names=["pshah", "Tomasz Nowak"])
    assert {(p.name, p.user and p.user.username) for p in coe.participants.all()} == {
        ("pshah", "pshah"), ("Tomasz Nowak", None)}
    assert not services.set_participants(postmortem=coe, by=author,
                                         names=["PSHAH", "tomasz nowak"])
    assert services.set_participants(postmortem=coe, by=author, names=["Tomasz Nowak"])
    assert list(coe.participants.values_list("name", flat=True)) == ["Tomasz Nowak"]


def test_set_participants_keeps_the_author_row(coe, author):
    Participant.objects.create(coe=coe, user=author, name="The Author",
                               role=Participant.Role.AUTHOR)
    services.set_participants(postmortem=coe, by=author, names=[])
    assert list(coe.participants.values_list("role", flat=True)) == ["author"]


def test_parse_participant_names():
    assert services.parse_participant_names(" Priya  Shah, pshah\nTomasz,, priya shah") == [
        "Priya Shah", "pshah", "Tomasz"]
    with pytest.raises(ValidationError, match="longer than 120"):
        services.parse_participant_names("x" * 121)


def test_a_participant_named_in_a_factor_is_a_human_error_leaf(coe, author):
    services.set_participants(postmortem=coe, by=author, names=["Przemek Kowalczyk"])
    ContributingFactor.objects.create(
        postmortem=coe, text="Przemek's typo in the hostname wiped the primary.")
    assert gates.no_human_error_leaf(coe) is not None
    assert gates.no_blame_wording(coe) is not None


def test_without_the_participant_the_same_factor_passes(coe):
    ContributingFactor.objects.create(
        postmortem=coe, text="Przemek's typo in the hostname wiped the primary.")
    assert gates.no_human_error_leaf(coe) is None


def test_edit_page_shows_and_saves_participants(client, coe, author):
    services.set_participants(postmortem=coe, by=author, names=["Tomasz Nowak"])
    client.force_login(author)
    url = reverse("postmortems:edit", args=[coe.code])
    page = client.get(url)
    assert "People involved" in page.content.decode()
    data = PostmortemForm.initial_for(coe)
    assert data["participants"] == "Tomasz Nowak"
    form = {k: v for k, v in data.items() if v is not None}
    form["incident_start"] = data["incident_start"].strftime("%Y-%m-%dT%H:%M")
    form["affected_services"] = [s.pk for s in data["affected_services"]]
    form["committee"] = [u.pk for u in data["committee"]]
    form["participants"] = "Tomasz Nowak, Priya Shah"
    form["restricted"] = "on" if data["restricted"] else ""
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(coe.participants.values_list("name", flat=True)) == {"Tomasz Nowak", "Priya Shah"}


def test_edit_page_keeps_what_was_typed_when_a_name_is_too_long(client, coe, author):
    client.force_login(author)
    url = reverse("postmortems:edit", args=[coe.code])
    data = PostmortemForm.initial_for(coe)
    form = {k: v for k, v in data.items() if v is not None and k != "committee"}
    form["incident_start"] = data["incident_start"].strftime("%Y-%m-%dT%H:%M")
    form["affected_services"] = []
    form["participants"] = "Priya, " + "y" * 130
    response = client.post(url, form)
    assert response.status_code == 200
    body = response.content.decode()
    assert "longer than 120 characters" in body and "y" * 130 in body
    assert not coe.participants.exists()
