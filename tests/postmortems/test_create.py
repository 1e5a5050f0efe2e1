import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from postmortems import services
from postmortems.models import Postmortem, Tag
from reviews.models import Kind, Section
from tests.conftest import make_service, make_team

from .conftest import make_coe


def create_data(service, **overrides):
    return {
        "service": service.pk, "title": "Checkout API failed for EU customers",
        "incident_start": "2024-06-12T09:19", "incident_tz": "Europe/Helsinki",
        "severity": 2, "customers_affected": 1200, "customers_description": "EU shoppers",
        "tags": "Database, latent", **overrides,
    }


def test_create_pins_the_latest_coe_version_and_makes_answer_rows(coe):
    assert coe.code == f"COE-{coe.pk:04d}"
    assert coe.kind == Kind.COE and coe.state == "draft"
    assert coe.version == services.latest_coe_version()
    questions = coe.version.questions().exclude(section__widget=Section.Widget.METADATA)
    assert coe.answers.count() == questions.count() > 20
    assert coe.answers.filter(question__key="orr-performed").exists()
    assert coe.answers.filter(question__key="takeaways").exists()  # lessons prompts too
    assert not coe.answers.filter(question__binds__gt="").exists()
    assert coe.events.filter(verb="started").exists()


def test_create_assigns_the_committee_and_logs_it(questionnaires, checkout, author, reviewer):
    coe = make_coe(checkout, author, committee=[reviewer])
    assert list(coe.reviewers.all()) == [reviewer]
    assert coe.events.filter(verb="reviewer_assigned").exists()


def test_tags_reuse_existing_rows_whatever_the_case(questionnaires, checkout, author):
    Tag.objects.create(name="Database")
    coe = make_coe(checkout, author, tag_names=services.parse_tag_names(" database ,Latent,,"))
    assert sorted(t.name for t in coe.tags.all()) == ["Database", "Latent"]
    assert Tag.objects.count() == 2


def test_member_creates_a_coe_with_local_time_in_the_incident_timezone(
        client, questionnaires, checkout, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:create"), create_data(checkout))
    coe = Postmortem.objects.get()
    assert response.status_code == 302 and response["Location"] == coe.get_absolute_url()
    # 09:19 EEST (UTC+3, summer time in Helsinki) is 06:19 UTC.
    assert coe.incident_start == dt.datetime(2024, 6, 12, 6, 19, tzinfo=dt.UTC)
    assert coe.incident_tz == "Europe/Helsinki"
    assert sorted(t.name for t in coe.tags.all()) == ["Database", "latent"]
    page = client.get(coe.get_absolute_url()).content.decode()
    assert "12 Jun 2024 09:19 EEST" in page and "06:19 UTC" in page


def test_winter_time_uses_the_winter_offset(client, questionnaires, checkout, author):
    client.force_login(author)
    client.post(reverse("postmortems:create"),
                create_data(checkout, incident_start="2024-01-12T09:19"))
    assert Postmortem.objects.get().incident_start == dt.datetime(2024, 1, 12, 7, 19,
                                                                  tzinfo=dt.UTC)


def test_a_time_skipped_by_the_dst_jump_is_refused(client, questionnaires, checkout, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:create"),
                           create_data(checkout, incident_start="2024-03-31T03:30"))
    assert response.status_code == 200
    assert "does not exist in Europe/Helsinki" in response.content.decode()
    assert not Postmortem.objects.exists()


def test_incident_in_the_future_is_refused(client, questionnaires, checkout, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:create"),
                           create_data(checkout, incident_start="2999-01-01T00:00"))
    assert "cannot start in the future" in response.content.decode()


def test_service_select_offers_only_the_users_teams(client, questionnaires, checkout, author,
                                                    platform):
    other = make_service(platform, name="Ledger", slug="ledger")
    client.force_login(author)
    form = client.get(reverse("postmortems:create")).context["form"]
    assert list(form.fields["service"].queryset) == [checkout]
    response = client.post(reverse("postmortems:create"), create_data(other))
    assert response.status_code == 200 and not Postmortem.objects.exists()


def test_committee_may_be_anyone_but_the_author(client, questionnaires, checkout, author,
                                                teammate, outsider):
    client.force_login(author)
    form = client.get(reverse("postmortems:create")).context["form"]
    committee = set(form.fields["committee"].queryset)
    assert author not in committee and {teammate, outsider} <= committee


def test_user_without_a_team_cannot_create(client, questionnaires, django_user_model):
    user = django_user_model.objects.create_user("loner", password="pw")
    client.force_login(user)
    assert client.get(reverse("postmortems:create")).status_code == 403


def test_service_page_link_preselects_the_service(client, questionnaires, checkout, author):
    client.force_login(author)
    response = client.get(reverse("postmortems:create") + f"?service={checkout.slug}")
    assert response.context["form"]["service"].value() == checkout.pk


def test_edit_changes_facts_and_committee_with_events(client, coe, author, reviewer, teammate):
    client.force_login(author)
    url = reverse("postmortems:edit", args=[coe.code])
    data = create_data(coe.service, title="New title", tags="Config", committee=[reviewer.pk],
                       revision=coe.revision, restricted="on")
    data.pop("service")
    assert client.post(url, data).status_code == 302
    coe.refresh_from_db()
    assert coe.title == "New title" and coe.restricted
    assert [t.name for t in coe.tags.all()] == ["Config"]
    assert list(coe.reviewers.all()) == [reviewer]
    verbs = set(coe.events.values_list("verb", flat=True))
    assert {"facts_changed", "reviewer_assigned"} <= verbs


def test_edit_with_a_stale_revision_saves_nothing(client, coe, author):
    client.force_login(author)
    data = create_data(coe.service, title="Late edit", revision=coe.revision - 1)
    data.pop("service")
    response = client.post(reverse("postmortems:edit", args=[coe.code]), data, follow=True)
    assert "changed these facts while you were editing" in response.content.decode()
    coe.refresh_from_db()
    assert coe.title != "Late edit"


@pytest.mark.parametrize("value", ["0", "-1", "most"])
def test_bad_quorum_setting_is_refused(settings, value):
    from django.core.exceptions import ImproperlyConfigured

    settings.COE_QUORUM = value
    with pytest.raises(ImproperlyConfigured):
        services.coe_quorum(3)


def test_other_team_service_is_not_in_the_select(client, questionnaires, author):
    team = make_team()
    make_service(team)
    client.force_login(author)
    form = client.get(reverse("postmortems:create")).context["form"]
    assert form.fields["service"].queryset.count() == 0


def test_the_services_refuse_an_incident_in_the_future(questionnaires, checkout, author, coe):
    # The rule is the service's, not only the form's: the API and imports cannot bypass it.
    future = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(ValidationError, match="future"):
        services.postmortem_create(service=checkout, by=author, title="Not yet", severity=2,
                                   incident_start=future, incident_tz="UTC")
    assert not Postmortem.objects.filter(title="Not yet").exists()
    facts = {name: getattr(coe, name) for name in services.FACT_FIELDS}
    with pytest.raises(ValidationError, match="future"):
        services.postmortem_update(
            postmortem=coe, by=author, base_revision=coe.revision, tag_names=[],
            affected_services=[], committee=[], **{**facts, "incident_start": future},
        )
    coe.refresh_from_db()
    assert coe.incident_start < timezone.now()
