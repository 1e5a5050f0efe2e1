"""The section editor's sidebar counts come from one aggregate query and match the overview's."""

from django.urls import reverse

from orr.progress import sections_with_progress
from orr.views import _section_progress
from reviews.models import Answer


def test_aggregate_counts_match_the_answers(review):
    answers = list(review.answers.select_related("question__section").order_by("pk"))
    Answer.objects.filter(pk=answers[0].pk).update(text="Written", risk="high")
    Answer.objects.filter(pk=answers[1].pk).update(text="   \n ")  # blank is not an answer
    Answer.objects.filter(pk=answers[2].pk).update(choice="yes", risk="medium")
    Answer.objects.filter(pk=answers[-1].pk).update(text="Last", risk="none")
    expected, _ = sections_with_progress(review)
    got = _section_progress(review)
    shown = ("section", "total", "answered", "gaps", "percent")  # what the editor's sidebar shows
    assert got == [{k: row[k] for k in shown} for row in expected]
    assert sum(r["answered"] for r in got) == 3 and sum(r["gaps"] for r in got) == 2


def test_the_sidebar_is_one_query(review, django_assert_num_queries):
    with django_assert_num_queries(1):
        _section_progress(review)


def test_an_unknown_section_is_404(client, review, author):
    client.force_login(author)
    assert client.get(reverse("orr:section", args=[review.code, "nope"])).status_code == 404
