"""The weekly report's figures against the hand-counted week of the `week47` fixture.

Counting by hand (week 2026-W47: Monday 16 to Sunday 22 November, UTC):
COEs     A opened 16th (draft), B opened 18th and submitted, C opened 2nd and approved 18th
         (16.5 days), D approved the week before, E opened 20th, restricted, changes requested,
         F resubmitted on Sunday 23:30, G opened the next Monday.
ORRs     checkout approved again on the 17th (so its 2025 approval never expired), ledger's
         approval expired on the 20th, gateway's expires 10 Dec, indexer never reviewed.
Items    i1 overdue since 1 Nov, i2 opened 17th, i3 due on Sunday, i4 closed 18th, i5 opened 16th
         and closed after the week (still open at its end), i6 after the week, i7 long closed.
"""

import datetime as dt

import pytest

from actions.models import ActionItem
from reports.selectors import weekly_report
from reports.weeks import Week

from .conftest import W47, at, make_coe_row, make_item_row


@pytest.fixture
def data(week47):
    return weekly_report(Week.parse(W47))


def test_key_figures(data):
    assert data.figure == {
        "COEs opened": 3,
        "COEs in review at week end": 2,
        "COEs approved": 1,
        "Median days to approve": 16.5,
        "Customers affected (COEs opened)": 1500,
        "Median time to detect, min (COEs opened)": 28.5,
        "Median time to resolve, min (COEs opened)": 135,
        "ORRs approved": 1,
        "ORR approvals expired": 1,
        "ORR approvals expiring within 30 days": 1,
        "Services never reviewed": 1,
        "Action items opened": 2,
        "Action items closed": 1,
        "Action items open at week end": 4,
        "Action items overdue at week end": 3,
    }


def test_coe_table_lists_opened_in_review_and_approved_with_impact_and_ttd_ttr(data, week47):
    c = week47["coes"]
    rows = {row[0]: row for row in data.coes.rows}
    # By opening date; A (a draft) and E (restricted) are counted but not listed.
    assert list(rows) == [c[k].code for k in "CFB"]
    col = data.coes.columns.index

    def impact(key):
        row = rows[c[key].code]
        return row[col("Customers affected")], row[col("TTD (min)")], row[col("TTR (min)")]

    assert impact("B") == (300, 45, 180)
    assert rows[c["C"].code][col("Days to approve")] == 16.5
    assert rows[c["F"].code][col("State at week end")] == "In review"


def test_restricted_and_draft_coes_are_counted_but_not_listed(data, week47):
    codes = {row[0] for row in data.coes.rows}
    assert week47["coes"]["E"].code not in codes and week47["coes"]["A"].code not in codes
    assert "2 more (drafts and restricted COEs) are counted" in data.coes.note
    rows = {row[0]: row for row in data.coes.rows}
    assert rows[week47["coes"]["B"].code][1] == week47["coes"]["B"].title


def test_factor_categories_tags_and_eight_week_trend(data):
    assert dict(data.factor_categories.rows) == {
        "Technical": 1, "Process": 1, "Tooling": 1, "Organisational": 0, "External": 1,
        "Human error": 0,
    }
    # Tags only of COEs everyone may see: not A's (a draft) nor E's (restricted).
    assert data.tags.rows == [["Database", 1]]
    assert [row[0] for row in data.trend.rows] == [f"2026-W{n}" for n in range(40, 48)]
    trend = {row[0]: row[1:] for row in data.trend.rows}
    # COEs opened, then technical, process, tooling, organisational, external, human error.
    assert trend["2026-W45"] == [1, 0, 0, 0, 0, 0, 1]
    assert trend["2026-W46"] == [2, 0, 0, 0, 1, 0, 0]
    assert trend["2026-W47"] == [3, 1, 1, 1, 0, 1, 0]
    assert trend["2026-W40"] == [0] * 7
    assert data.tag_trend.rows == [
        ["Database", 0, 0, 0, 0, 0, 0, 0, 1, 1],
        ["Network", 0, 0, 0, 0, 0, 1, 0, 0, 1],
    ]


def test_orrs_approved_expired_expiring_and_never_reviewed(data, week47):
    orrs = week47["orrs"]
    assert [row[:3] for row in data.orrs.rows] == [
        ["Approved", orrs["checkout-new"].code, "Checkout API"],
        ["Expired", orrs["ledger"].code, "Ledger"],
        ["Expires within 30 days", orrs["gateway"].code, "Gateway"],
    ]
    assert data.never_reviewed.rows == [["Indexer", "Search", 3]]


def test_action_items_by_team_priority_and_oldest_overdue(data):
    assert data.actions_by_team.rows == [
        # team, opened, closed, open at week end, overdue
        ["Payments", 1, 0, 2, 1],
        ["Platform", 0, 1, 1, 1],
        ["Search", 1, 0, 1, 1],
    ]
    assert data.actions_by_priority.rows == [
        ["P1 (high)", 2, 2], ["P2 (medium)", 2, 1], ["P3 (low)", 0, 0],
    ]
    assert [(row[4], row[5]) for row in data.oldest_overdue.rows] == [
        ("2026-11-01", 22), ("2026-11-20", 3), ("2026-11-22", 1),
    ]


def test_per_team_table(data):
    assert data.teams.rows == [
        # services, never reviewed, ORRs approved, expiring, COEs opened, actions opened,
        # closed, overdue
        ["Payments", 2, 0, 1, 0, 1, 1, 0, 1],
        ["Platform", 1, 0, 0, 1, 2, 0, 1, 1],
        ["Search", 2, 1, 0, 0, 0, 1, 0, 1],
    ]


def test_a_past_week_keeps_its_figures_when_things_change_later(week47, author):
    week = Week.parse(W47)
    before = weekly_report(week).figure
    # Next week an overdue item is closed and a COE of this week is approved.
    week47["items"]["i1"].set_status(ActionItem.Status.DONE, note="Shipped.")
    assert weekly_report(week).figure == before


def test_query_count_does_not_grow_with_the_data(week47, payments, author,
                                                 django_assert_max_num_queries):
    week = Week.parse(W47)
    # 15: the accepted risks of every approval, read once so the expiry list matches the pages;
    # 16: the re-review campaigns running that week.
    with django_assert_max_num_queries(16) as small:
        weekly_report(week)
    checkout = week47["services"][0]
    for n in range(5):
        make_coe_row(checkout, author, opened=f"2026-11-{16 + n} 10:00", tags=[f"tag{n}"],
                     timeline={"started": "2026-11-16 08:00", "resolved": "2026-11-16 09:00"},
                     factors=[("technical", "2026-11-17 10:00")],
                     events=[("submitted", "2026-11-21 10:00")])
        make_item_row(team=payments, owner=author, created="2026-11-17 09:00", due="2026-11-18")
    with django_assert_max_num_queries(len(small.captured_queries)):
        weekly_report(week)


def test_week_boundaries_in_helsinki_across_the_end_of_summer_time(settings, questionnaires,
                                                                   payments, author):
    """The week of the last Sunday of October is 169 hours long in Helsinki."""
    settings.TIME_ZONE = "Europe/Helsinki"
    week = Week.containing(dt.date(2026, 10, 25))
    utc = dt.UTC
    times = {
        "before": dt.datetime(2026, 10, 18, 20, 59, tzinfo=utc),  # Sunday 23:59 EEST, W42
        "first": dt.datetime(2026, 10, 18, 21, 0, tzinfo=utc),  # Monday 00:00 EEST
        "last": dt.datetime(2026, 10, 25, 21, 59, tzinfo=utc),  # Sunday 23:59 EET
        "after": dt.datetime(2026, 10, 25, 22, 0, tzinfo=utc),  # Monday 00:00 EET, W44
    }
    for name, moment in times.items():
        ActionItem.objects.create(title=name, owner=author, team=payments, created_at=moment,
                                  due_date=dt.date(2026, 12, 1))
    data = weekly_report(week)
    assert data.figure["Action items opened"] == 2
    assert data.figure["Action items open at week end"] == 3
    assert at("2026-10-25 23:59") == times["last"]


def test_only_complete_data_of_the_right_time_zone_counts(settings, questionnaires, payments,
                                                          author):
    settings.TIME_ZONE = "America/New_York"
    week = Week.parse(W47)
    ActionItem.objects.create(title="late Sunday in New York", owner=author, team=payments,
                              created_at=dt.datetime(2026, 11, 23, 4, 30, tzinfo=dt.UTC),
                              due_date=dt.date(2026, 12, 1))
    assert weekly_report(week).figure["Action items opened"] == 1
    assert weekly_report(week.next()).figure["Action items opened"] == 0


def test_oldest_overdue_lists_items_of_public_documents_only(week47, author, payments):
    from actions.models import ActionItem
    from reviews.models import Document

    orr = week47["orrs"]["checkout-new"]  # approved: everyone sees it
    draft = week47["coes"]["A"]
    restricted = week47["coes"]["E"]
    for doc in (orr, draft, restricted):
        item = make_item_row(team=payments, owner=author, created="2026-10-01 09:00",
                             due="2026-10-15", title=f"Item of {doc.code}")
        ActionItem.objects.filter(pk=item.pk).update(document=doc)
    assert Document.objects.get(pk=orr.pk).state == "approved"
    data = weekly_report(Week.parse(W47))
    titles = [row[0] for row in data.oldest_overdue.rows]
    assert f"Item of {orr.code}" in titles
    assert f"Item of {draft.code}" not in titles and f"Item of {restricted.code}" not in titles
    # Counted all the same.
    assert data.figure["Action items overdue at week end"] == 3 + 3
