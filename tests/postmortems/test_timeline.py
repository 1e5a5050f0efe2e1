import datetime as dt

from django.urls import reverse

from postmortems import services
from postmortems.models import TimelineEvent
from reviews import gates

from .conftest import add_event


def post_event(client, coe, kind, local, note="Event"):
    return client.post(reverse("postmortems:timeline_add", args=[coe.code]),
                       {"kind": kind, "at": local, "note": note})


def test_metrics_count_from_the_first_started_event(coe):
    add_event(coe, "started", 0)
    add_event(coe, "detected", 7)
    add_event(coe, "detected", 20)  # only the first of each kind counts
    add_event(coe, "engaged", 12)
    add_event(coe, "mitigated", 45)
    add_event(coe, "resolved", 130)
    assert services.timeline_metrics(coe) == {
        "detect": dt.timedelta(minutes=7),
        "engage": dt.timedelta(minutes=12),
        "mitigate": dt.timedelta(minutes=45),
        "resolve": dt.timedelta(minutes=130),
    }


def test_missing_ends_give_no_metric(coe):
    add_event(coe, "detected", 5)
    assert services.timeline_metrics(coe) == dict.fromkeys(
        ["detect", "engage", "mitigate", "resolve"])


def test_durations_are_shown_readably():
    assert services.format_duration(dt.timedelta(minutes=130)) == "2 h 10 min"
    assert services.format_duration(dt.timedelta(days=1, hours=3, minutes=5)) == "1 d 3 h"
    assert services.format_duration(None) == "–"


def test_event_entered_in_helsinki_time_is_stored_in_utc(client, coe, author):
    client.force_login(author)
    response = post_event(client, coe, "started", "2024-06-12T09:19",
                          "Database ran out of connections")
    assert response.status_code == 302
    event = coe.timeline.get()
    assert event.at == dt.datetime(2024, 6, 12, 6, 19, tzinfo=dt.UTC)
    page = client.get(coe.get_absolute_url()).content.decode()
    assert "12 Jun 09:19 EEST" in page and "12 Jun 06:19" in page
    assert coe.events.filter(verb="timeline_added").exists()


def test_detected_before_started_is_refused_with_a_clear_message(client, coe, author):
    client.force_login(author)
    post_event(client, coe, "started", "2024-06-12T09:19")
    response = post_event(client, coe, "detected", "2024-06-12T09:00")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Impossible order: Detected (12 Jun 09:00) cannot be before started (12 Jun 09:19)" \
        in content
    assert coe.timeline.count() == 1


def test_resolved_before_mitigated_is_refused(client, coe, author):
    client.force_login(author)
    post_event(client, coe, "started", "2024-06-12T09:19")
    post_event(client, coe, "mitigated", "2024-06-12T10:00")
    response = post_event(client, coe, "resolved", "2024-06-12T09:50")
    assert "Resolved (12 Jun 09:50) cannot be before mitigated" in response.content.decode()
    assert coe.timeline.count() == 2


def test_mitigated_before_detected_is_refused(client, coe, author):
    client.force_login(author)
    post_event(client, coe, "detected", "2024-06-12T09:30")
    response = post_event(client, coe, "mitigated", "2024-06-12T09:25")
    assert "Mitigated (12 Jun 09:25) cannot be before detected" in response.content.decode()


def test_started_after_a_later_event_is_refused(client, coe, author):
    client.force_login(author)
    post_event(client, coe, "resolved", "2024-06-12T10:00")
    response = post_event(client, coe, "started", "2024-06-12T10:30")
    assert response.status_code == 400
    assert "Resolved (12 Jun 10:00) cannot be before started" in response.content.decode()


def test_other_events_go_anywhere(client, coe, author):
    client.force_login(author)
    post_event(client, coe, "started", "2024-06-12T09:19")
    assert post_event(client, coe, "other", "2024-06-12T08:00", "Deploy").status_code == 302


def timeline_gate(coe):
    return {r.name: r for r in gates.evaluate(coe)}["timeline_complete"]


def test_timeline_gate_needs_started_and_resolved(coe):
    assert timeline_gate(coe).message == "no “started” event; no “resolved” event"
    add_event(coe, "started", 0)
    add_event(coe, "resolved", 50)
    assert timeline_gate(coe).passed


def test_timeline_gate_refuses_an_impossible_order_made_outside_the_form(coe):
    add_event(coe, "started", 0)
    add_event(coe, "resolved", 50)
    # Rows written behind the service's back (older data, a bulk import): the gate still checks.
    TimelineEvent.objects.create(postmortem=coe, kind="mitigated", note="mitigated",
                                 at=coe.incident_start + dt.timedelta(minutes=60))
    result = timeline_gate(coe)
    assert not result.passed
    assert "Resolved (12 Jun 10:09) cannot be before mitigated (12 Jun 10:19)" in result.message


def test_delete_event_is_logged(client, coe, author):
    event = add_event(coe, "started", 0)
    client.force_login(author)
    client.post(reverse("postmortems:timeline_delete", args=[coe.code, event.pk]))
    assert not coe.timeline.exists()
    assert coe.events.filter(verb="timeline_deleted").exists()


def test_the_service_refuses_an_impossible_order_without_the_form(coe, author):
    """The rule is the service's: an import or the API cannot add resolved-before-started."""
    import pytest
    from django.core.exceptions import ValidationError

    start = dt.datetime(2024, 6, 12, 6, 19, tzinfo=dt.UTC)
    services.timeline_add(postmortem=coe, by=author, kind="started", at=start, note="Started")
    with pytest.raises(ValidationError, match="Impossible order: Resolved"):
        services.timeline_add(postmortem=coe, by=author, kind="resolved",
                              at=start - dt.timedelta(minutes=5), note="Resolved")
    assert coe.timeline.count() == 1
