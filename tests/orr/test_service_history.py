"""The service history: all ORRs and milestones, and any two compared by question key."""

import pytest
from django.urls import reverse

from orr import carry, history, services
from orr.models import Milestone, ReadinessReview
from reviews.services import answer_save
from tests.orr.test_carry_forward import approve, last_year, version_two  # noqa: F401


@pytest.fixture
def this_year(last_year, version_two, checkout, author, reviewer):  # noqa: F811
    review = services.orr_start(service=checkout, by=author, trigger="periodic")
    answer = review.answers.select_related("question", "document").get(
        question__key="backup-restore-practice")
    answer_save(answer=answer, by=author, base_revision=answer.revision, choice="yes",
                risk="none", text="Restored monthly.")
    for section in review.version.sections.all():
        carry.section_confirm(review=review, section=section, by=author)
    for a in carry.carried_answers(review.answers.select_related("document", "question")):
        if carry.valid_risk(a):
            services.keep_accepted_risk(answer=a, by=author)
    new = review.answers.select_related("document").get(question__key="game-days")
    answer_save(answer=new, by=author, base_revision=new.revision, choice="yes", risk="none",
                text="Quarterly.")
    approve(review, author, reviewer)
    return review


def test_compare_last_year_and_this_year_across_versions(this_year, last_year, version_two,  # noqa: F811
                                                         checkout, author):
    _, removed_key = version_two
    found = history.service_history(checkout, author)
    assert [r.code for r in found.reviews] == [this_year.code, last_year.code]
    result = history.compare(history.point_snapshot(found.point(f"r{last_year.pk}")),
                             history.point_snapshot(found.point(f"r{this_year.pk}")))
    changed = {d.key: d for d in result.changed}
    assert "backup-restore-practice" in changed
    assert changed["backup-restore-practice"].reworded
    assert changed["backup-restore-practice"].after["text"] == "Restored monthly."
    assert [d.key for d in result.added] == ["game-days"]
    assert [d.key for d in result.removed] == [removed_key]
    # Milestones are points too: the approval froze one in each review.
    milestone = this_year.milestones.get()
    assert found.point(f"m{milestone.pk}").milestone == milestone


def test_history_page_compares_two_points(client, this_year, last_year, checkout, author):  # noqa: F811
    client.force_login(author)
    url = reverse("orr:service_history", args=[checkout.slug])
    page = client.get(url).content.decode()
    # By default the two latest reviews.
    assert "Do you run a game day every quarter?" in page
    assert "Restored monthly." in page
    bad = client.get(url, {"a": "r999999", "b": f"r{this_year.pk}"})
    assert "Choose two reviews or milestones" in bad.content.decode()
    service_page = client.get(checkout.get_absolute_url()).content.decode()
    assert url in service_page and "Approved (round 1)" in service_page


def _many_reviews(checkout, author, n):
    version = services.latest_orr_version()
    for i in range(n):
        review = ReadinessReview.objects.create(
            service=checkout, author=author, version=version, title=f"Old {i}",
            code=f"ORR-H{i:05d}")
        Milestone.objects.create(review=review, name=f"Kick-off {i}", snapshot={"answers": {}})


@pytest.mark.parametrize("n", [10, 1000])
def test_history_page_query_count_is_flat(client, questionnaires, checkout, author, n,
                                          django_assert_max_num_queries):
    _many_reviews(checkout, author, n)
    client.force_login(author)
    url = reverse("orr:service_history", args=[checkout.slug])
    client.get(url, {"a": "x"})  # warm the session and caches
    with django_assert_max_num_queries(12):
        response = client.get(url, {"a": "x", "b": "y"})
    assert response.status_code == 200
    assert response.content.decode().count("Kick-off") >= n
