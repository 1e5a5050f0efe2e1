import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from actions.views_csv import item_list_csv
from reviews.models import Document, State

from .conftest import make_item


def bulk_items(n: int, *, owner, team, document=None) -> None:
    due = timezone.localdate() + dt.timedelta(days=10)
    ActionItem.objects.bulk_create(
        ActionItem(title=f"Alarm on queue depth above {i}", owner=owner, team=team,
                   due_date=due, document=document if i % 2 else None)
        for i in range(n)
    )


@pytest.mark.parametrize("persona", ["ops_lead", "outsider"])
def test_the_all_page_needs_the_same_queries_for_10_and_1000_items(
    client, request, django_assert_max_num_queries, review, author, payments, persona
):
    Document.objects.filter(pk=review.pk).update(state=State.IN_REVIEW)
    client.force_login(request.getfixturevalue(persona))
    bulk_items(10, owner=author, team=payments, document=review)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse("actions:all")).status_code == 200

    bulk_items(990, owner=author, team=payments, document=review)
    # The paginator adds one COUNT query once there is more than one page.
    with django_assert_max_num_queries(len(ten) + 1):
        response = client.get(reverse("actions:all"))
    assert response.status_code == 200
    assert len(response.context["items"]) == 50
    assert response.context["page"].paginator.count == 1000


def download(user, scope="all", **query):
    request = RequestFactory().get(f"/actions/{scope}.csv", query)
    request.user = user
    return item_list_csv(request, scope)


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_has_the_items_of_the_filtered_list(author, teammate, payments):
    mine = make_item(owner=author, team=payments, priority="P1")
    make_item(owner=author, team=payments, priority="P3")
    make_item(owner=teammate, team=payments, priority="P1")
    closed = make_item(owner=author, team=payments, priority="P1")
    closed.set_status("done", note="Shipped.")

    response = download(author, "mine", priority="P1")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="action-items-mine-' in response["Content-Disposition"]
    [row] = rows(response)
    assert row["ID"] == str(mine.pk)
    assert row["Owner"] == "author"
    assert row["Team"] == "Payments"
    assert row["Link"].endswith(mine.get_absolute_url())
    assert [r["ID"] for r in rows(download(author, "mine", status="done"))] == [str(closed.pk)]


def test_csv_is_not_cut_at_the_rows_of_one_page(ops_lead, author, payments):
    bulk_items(501, owner=author, team=payments)
    assert len(rows(download(ops_lead))) == 501


def test_csv_hides_items_of_drafts_the_user_may_not_see(review, author, outsider, payments):
    make_item(owner=author, team=payments, document=review)
    make_item(owner=author, team=payments)
    assert len(rows(download(author))) == 2
    assert len(rows(download(outsider))) == 1


def test_csv_keeps_formulas_as_text(author, payments):
    make_item(owner=author, team=payments, title='=HYPERLINK("https://evil.example", "x")')
    [row] = rows(download(author))
    assert row["Title"].startswith("'=HYPERLINK")


def test_csv_of_an_unknown_list_is_404(author):
    from django.http import Http404

    with pytest.raises(Http404):
        download(author, "everything")


def test_a_row_shows_its_item_owner_team_due_day_status_form_and_document(
        client, author, payments, review):
    from opsreview.templatetags.dates import day

    Document.objects.filter(pk=review.pk).update(state=State.IN_REVIEW)
    late = make_item(owner=author, team=payments, title="Rotate the <b> keys",
                     due_date=timezone.localdate() - dt.timedelta(days=3), document=review)
    dropped = make_item(owner=author, team=payments, status="wont_do", closing_note="Moved")
    client.force_login(author)
    page = client.get(reverse("actions:all"), {"status": "any"}).content.decode()
    rows = {pk: " ".join(next(r for r in page.split("<tr>") if f'id="st-{pk}"' in r).split())
            for pk in (late.pk, dropped.pk)}
    row = rows[late.pk]
    assert f'<a href="{late.get_absolute_url()}">Rotate the &lt;b&gt; keys</a>' in row
    assert f"<td>{author.username}</td> <td>{payments.name}</td>" in row
    assert f'<td class="text-danger fw-semibold">{day(late.due_date)}</td>' in row
    assert f'action="{reverse("actions:status", args=[late.pk])}"' in row
    assert 'name="next" value="/actions/all/?status=any"' in row
    assert "csrfmiddlewaretoken" in row and "Close…</a>" in row
    assert f'<a href="{review.get_absolute_url()}">{review.code}</a>' in row
    row = rows[dropped.pk]
    # The closed item's own status is offered, written as Django's templates write it.
    assert '<option value="wont_do" selected>Won&#x27;t do</option>' in row
    assert "Close…" not in row and "<td>—</td>" in row and "text-danger" not in row
