"""A restricted COE and another team's ORR draft leak through no side channel.

Every field of both carries a unique marker. Then every page, CSV, PDF (by text extraction),
e-mail and notification that a persona outside the COE's team and committee can reach is
rendered and searched for the marker: the weekly report (HTML, PDF, CSVs, the e-mail to the
ops leads), lists and their CSVs, search, the tag filter and the new-COE form, action items
and their status change, reminders and escalations, the bell, the API.

Who may see what (opsreview/permissions.py): a restricted COE only its team's current members
and its committee; a draft its team, committee, ops leads and admins; the org-wide report and
anything sent to ops leads counts both but never shows their details. An author who left the
team ("leaver") is an outsider.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actions.models import ActionItem
from actions.reminders import send_due_reminders
from catalog.models import Membership, ops_leads_group
from notifications.models import Notification
from notifications.services import notify
from orr import services as orr_services
from postmortems import services as pm
from postmortems.models import ContributingFactor, Postmortem
from reports import services as reports
from reports.models import Export, WeeklyReport
from reports.selectors import weekly_report
from reports.weeks import Week
from reviews.models import Document
from tests.conftest import join, make_service, make_team, make_user

COE_MARK = "Qx7coesecret"
ORR_MARK = "Kv4orrdraft"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def marked(mark: str, what: str) -> str:
    return f"{what} {mark}"


@pytest.fixture
def world(questionnaires, django_user_model, settings):
    settings.ACTION_ESCALATE_AFTER_DAYS = 14
    payments, platform = make_team("Payments", slug="payments"), make_team("Platform", slug="pf")
    elsewhere = make_team("Elsewhere", slug="elsewhere")
    checkout = make_service(payments, name="Checkout API", slug="checkout-api", tier=1)
    people = {}
    for name in ("member", "leaver", "committee", "bystander", "outsider", "ops_lead"):
        people[name] = make_user(django_user_model, name, email=f"{name}@example.com")
    people["admin"] = django_user_model.objects.create_superuser(
        "admin", password="pw", email="admin@example.com")
    join(people["member"], payments)
    join(people["leaver"], payments)
    join(people["committee"], platform, Membership.Role.REVIEWER)
    join(people["bystander"], platform, Membership.Role.REVIEWER)
    join(people["outsider"], elsewhere)
    people["ops_lead"].groups.add(ops_leads_group())
    leaver, member = people["leaver"], people["member"]

    week = Week.last_complete()
    in_week = week.start_at + dt.timedelta(days=2)
    long_overdue = week.as_of - dt.timedelta(days=40)

    coe = pm.postmortem_create(
        service=checkout, by=leaver, title=marked(COE_MARK, "Title"),
        incident_start=in_week - dt.timedelta(hours=3), incident_tz="UTC",
        severity=Postmortem.Severity.SEV1, customers_affected=4321,
        customers_description=marked(COE_MARK, "Customers"), restricted=True,
        tag_names=[f"tag-{COE_MARK}"], committee=[people["committee"]],
    )
    for answer in coe.answers.all():
        answer.save_if_current(base_revision=answer.revision, by=leaver,
                               text=marked(COE_MARK, "Answer"))
    pm.timeline_add(postmortem=coe, by=leaver, kind="started", at=in_week - dt.timedelta(hours=3),
                    note=marked(COE_MARK, "Timeline"))
    factor = pm.factor_add(postmortem=coe, by=leaver, text=marked(COE_MARK, "Factor"),
                           category=ContributingFactor.Category.TECHNICAL)
    pm.lesson_add(postmortem=coe, by=leaver, text=marked(COE_MARK, "Lesson"))
    coe_item = pm.action_add(
        postmortem=coe, by=leaver, title=marked(COE_MARK, "Item"), owner=leaver,
        due_date=long_overdue, priority="P1", description=marked(COE_MARK, "Description"),
        factor=factor,
    )
    client = Client()
    client.force_login(leaver)
    client.post(reverse("postmortems:attachment_upload", args=[coe.code]),
                {"file": SimpleUploadedFile(f"{COE_MARK}.png", PNG)})

    review = orr_services.orr_start(service=checkout, by=leaver, trigger="pre_launch",
                                    title=marked(ORR_MARK, "Review"))
    answer = review.answers.first()
    answer.save_if_current(base_revision=answer.revision, by=leaver,
                           text=marked(ORR_MARK, "Answer"), risk="high")
    orr_item = orr_services.gap_add_action(
        answer=answer, by=leaver, title=marked(ORR_MARK, "Gap"), owner=member,
        due_date=long_overdue, priority="P1")

    # Opened and overdue within the report's week.
    Document.objects.filter(pk__in=[coe.pk, review.pk]).update(created_at=in_week)
    ActionItem.objects.filter(pk__in=[coe_item.pk, orr_item.pk]).update(
        created_at=in_week - dt.timedelta(days=60))
    # What the author was told while in the team: the bell must not keep showing it.
    notify(user=leaver, verb="comment", actor=member, url=coe.get_absolute_url(),
           message=f"member commented on {coe.code}: {marked(COE_MARK, 'Comment')}")
    notify(user=leaver, verb="comment", actor=member, url=review.get_absolute_url(),
           message=f"member commented on {review.code}: {marked(ORR_MARK, 'Comment')}")
    # The author leaves the team: from now on an outsider.
    Membership.objects.filter(user=leaver, team=payments).delete()
    return {"people": people, "coe": coe, "review": review, "coe_item": coe_item,
            "orr_item": orr_item, "week": week, "service": checkout}


# Personas and the markers they must never meet. Ops leads and admins see other teams' drafts
# on the draft's own pages (the permission matrix), never a restricted COE.
MUST_NOT_SEE = {
    "leaver": (COE_MARK, ORR_MARK),
    "bystander": (COE_MARK, ORR_MARK),
    "outsider": (COE_MARK, ORR_MARK),
    "ops_lead": (COE_MARK,),
    "admin": (COE_MARK,),
}
# Read org-wide: no persona's copy may hold either marker.
ORG_WIDE = (COE_MARK, ORR_MARK)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return " ".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())


def body_of(response) -> str:
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(content)
    if kind.startswith("application/zip"):
        return zip_text(content)
    return content.decode("utf-8", "replace")


def pages(world) -> list[str]:
    coe, review, week = world["coe"], world["review"], world["week"]
    section = review.answers.select_related("question__section").first().question.section.key
    urls = [
        # (Searching for the marker itself would only show it in the search box.)
        "/", *(reverse("search") + f"?q={word}" for word in
               ("Title", "Item", "Answer", "Gap", "Review", "Factor", "Description")),
        reverse("catalog:services"), world["service"].get_absolute_url(),
        reverse("orr:list"), reverse("postmortems:list"),
        reverse("postmortems:list") + f"?tag=tag-{COE_MARK}", reverse("postmortems:create"),
        reverse("actions:mine"), reverse("actions:team"), reverse("actions:all"),
        reverse("actions:all") + "?status=&overdue=1",
        reverse("actions:csv", args=["mine"]), reverse("actions:csv", args=["team"]),
        reverse("actions:csv", args=["all"]) + "?status=",
        reverse("actions:detail", args=[world["coe_item"].pk]),
        reverse("notifications:list"),
        reverse("reviews:queue"), reverse("reviews:trash"),
        reverse("reports:index"), reverse("reports:weekly", args=[week.iso]),
        reverse("reports:weekly_csv_zip", args=[week.iso]),
        reverse("reports:weekly_pdf", args=[week.iso]),
        reverse("postmortems:detail", args=[coe.code]),
        reverse("postmortems:edit", args=[coe.code]),
        reverse("postmortems:history", args=[coe.code]),
        reverse("orr:detail", args=[review.code]),
        reverse("orr:section", args=[review.code, section]),
        reverse("orr:history", args=[review.code]),
        reverse("actions:detail", args=[world["orr_item"].pk]),
        "/api/v1/openapi.json",
    ]
    urls += [reverse("reports:weekly_csv", args=[week.iso, t.slug])
             for t in weekly_report(week).tables]
    return urls


ADMIN_PAGES = [
    "/admin/", "/admin/reviews/document/", "/admin/postmortems/postmortem/",
    "/admin/reviews/answer/", "/admin/reviews/decision/", "/admin/reviews/event/",
    "/admin/postmortems/tag/", "/admin/postmortems/lesson/", "/admin/reports/export/",
    f"/admin/reviews/answer/?q={COE_MARK[:4]}",
]


def test_the_django_admin_hides_a_restricted_coe_from_a_superuser_outside(world):
    client = Client()
    client.force_login(world["people"]["admin"])
    coe = world["coe"]
    urls = [*ADMIN_PAGES, f"/admin/postmortems/postmortem/{coe.pk}/change/",
            f"/admin/reviews/document/{coe.pk}/change/"]
    leaks = []
    for url in urls:
        response = get_following(client, url)
        assert response.status_code < 500, (url, response.status_code)
        leaks += [url for mark in (COE_MARK,) if mark in body_of(response)]
    assert leaks == []
    # The admin still sees the draft ORR (drafts are theirs to see) and other COEs' rows.
    assert ORR_MARK in client.get("/admin/reviews/document/").content.decode()


def get_following(client, url):
    response = client.get(url)
    hops = 0
    while response.status_code in (301, 302) and hops < 3:
        response = client.get(response["Location"])
        hops += 1
    return response


@pytest.mark.parametrize("persona", list(MUST_NOT_SEE))
def test_no_page_csv_or_pdf_shows_the_restricted_coe_or_the_draft(world, persona):
    user = world["people"][persona]
    # The weekly report archived and e-mailed, as beat produces it on Monday.
    reports.weekly_report_produce(week=world["week"], email=False)
    client = Client()
    client.force_login(user)
    leaks = []
    for url in pages(world):
        response = get_following(client, url)
        assert response.status_code < 500, (url, response.status_code)
        text = body_of(response)
        marks = ORG_WIDE if "/reports/" in url else MUST_NOT_SEE[persona]
        leaks += [(url, mark) for mark in marks if mark in text]
    assert leaks == []


def api_pages(world) -> list[str]:
    coe, review = world["coe"], world["review"]
    return [
        "/api/v1/coes/", "/api/v1/coes/?restricted=1", "/api/v1/orrs/",
        "/api/v1/orrs/?state=draft",
        "/api/v1/action-items/", "/api/v1/action-items/?status=open",
        f"/api/v1/coes/{coe.code}/", f"/api/v1/orrs/{review.code}/",
        f"/api/v1/action-items/{world['coe_item'].pk}/",
        f"/api/v1/action-items/{world['orr_item'].pk}/",
        f"/api/v1/services/{world['service'].slug}/",
        f"/api/v1/services/{world['service'].slug}/readiness/",
    ]


@pytest.mark.parametrize("persona", list(MUST_NOT_SEE))
def test_the_api_shows_nothing_of_them_either(world, persona):
    from orr.models import ApiToken

    user = world["people"][persona]
    _, raw = ApiToken.issue(name="side-channel", by=user,
                            scopes=list(ApiToken.Scope.values))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    leaks = []
    for url in api_pages(world):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        leaks += [(url, mark) for mark in MUST_NOT_SEE[persona] if mark in body_of(response)]
    assert leaks == []
    changed = client.post(f"/api/v1/action-items/{world['coe_item'].pk}/status/",
                          {"status": "done", "note": "x"}, content_type="application/json")
    assert changed.status_code == 404


@pytest.mark.parametrize("persona", list(MUST_NOT_SEE))
def test_an_outsider_cannot_change_a_restricted_items_status(world, persona):
    client = Client()
    client.force_login(world["people"][persona])
    item = world["coe_item"]
    response = client.post(reverse("actions:status", args=[item.pk]),
                           {"status": "done", "note": "closed by someone outside"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_no_email_or_notification_carries_the_markers_outside(world):
    today = timezone.localdate()
    while today.weekday() >= 5:
        today -= dt.timedelta(days=1)
    mail.outbox.clear()
    send_due_reminders(today=today)
    report = reports.weekly_report_produce(week=world["week"], email=True)
    assert WeeklyReport.objects.get(pk=report.pk).emailed_at
    people = world["people"]
    escalated = [m for m in mail.outbox if people["ops_lead"].email in m.to]
    assert escalated, "the ops lead should hear about the overdue items, without details"
    for message in mail.outbox:
        texts = [message.subject, message.body]
        texts += [pdf_text(content) for _, content, kind in message.attachments
                  if kind == "application/pdf"]
        report_mail = "Ops review" in message.subject or "ops-review" in message.subject.lower()
        for persona, marks in MUST_NOT_SEE.items():
            if people[persona].email in message.to:
                for mark in ORG_WIDE if report_mail else marks:
                    assert not any(mark in t for t in texts), (persona, message.subject)
    for persona, marks in MUST_NOT_SEE.items():
        client = Client()
        client.force_login(people[persona])
        bell = client.get(reverse("notifications:list")).content.decode()
        assert not any(mark in bell for mark in marks), persona
        # Rows written since the access ended carry no details at all.
        fresh = Notification.objects.filter(user=people[persona]).exclude(verb="comment")
        assert not any(mark in n.message for n in fresh for mark in marks), persona
    # The team (current members) and the committee still get the details.
    member_mail = [m for m in mail.outbox if people["member"].email in m.to]
    assert any(ORR_MARK in m.subject for m in member_mail)


def test_the_coe_pdf_export_is_refused_outside(world):
    for persona in MUST_NOT_SEE:
        client = Client()
        client.force_login(world["people"][persona])
        response = client.post(reverse("reports:export_create", args=[world["coe"].code]))
        assert response.status_code == 404, persona
    assert not Export.objects.filter(document=world["coe"]).exists()


def test_the_team_and_the_committee_still_see_it_and_the_report_counts_it(world):
    """The control: the markers are there to be found by those who may see them."""
    for persona in ("member", "committee"):
        client = Client()
        client.force_login(world["people"][persona])
        page = client.get(reverse("postmortems:detail", args=[world["coe"].code]))
        assert COE_MARK in page.content.decode(), persona
    client = Client()
    client.force_login(world["people"]["member"])
    assert COE_MARK in client.get(reverse("actions:team")).content.decode()
    orr_page = client.get(reverse("orr:detail", args=[world["review"].code]))
    assert ORR_MARK in orr_page.content.decode()
    data = weekly_report(world["week"])
    assert data.figure["COEs opened"] == 1
    assert "not listed" in data.coes.note
    overdue = data.figure["Action items overdue at week end"]
    assert overdue == 2 and data.oldest_overdue.rows == []
