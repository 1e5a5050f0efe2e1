"""A COE with a human-error leaf cannot reach review or approval by any path."""

import pytest
from django.urls import reverse

from postmortems import services
from postmortems.models import ContributingFactor, Postmortem
from reviews.gates import GatesFailed
from reviews.models import Document, State
from reviews.services import document_decide, document_submit

from .conftest import add_action

LABEL = "No human error left as a leaf of the “why” tree"


@pytest.fixture
def blamed_coe(ready_coe):
    """Everything passes except a human-error leaf (it even has an action item)."""
    leaf = services.factor_add(
        postmortem=ready_coe, by=ready_coe.author, parent=ready_coe.factors.get(),
        category=ContributingFactor.Category.HUMAN_ERROR,
        text="An engineer set the pool size to 2000 by hand.",
    )
    add_action(ready_coe, factor=leaf, title="Validate pool size against a 50 connection cap")
    return ready_coe


def test_page_submit_is_refused_with_the_gate_label(client, blamed_coe, author):
    client.force_login(author)
    response = client.post(reverse("postmortems:submit", args=[blamed_coe.code]), follow=True)
    content = response.content.decode()
    assert "Not submitted. Failing gates" in content
    assert LABEL in content
    blamed_coe.refresh_from_db()
    assert blamed_coe.state == State.DRAFT


def test_page_explains_why_under_the_leaf_and_prompts_the_next_why(client, blamed_coe, author):
    client.force_login(author)
    content = client.get(blamed_coe.get_absolute_url()).content.decode()
    assert "Never stop at human error." in content
    assert "tools, guard rails, process, load or alarms" in content
    leaf = blamed_coe.factors.get(category="human_error")
    assert f'data-factor="{leaf.pk}" data-leaf="true" data-needs-why="true"' in content


def test_service_submit_is_refused(blamed_coe, author):
    with pytest.raises(GatesFailed) as exc:
        document_submit(document=blamed_coe, by=author)
    assert "no_human_error_leaf" in {r.name for r in exc.value.failed}


def test_service_approve_is_refused_when_the_leaf_appears_after_submit(ready_coe, author,
                                                                        reviewer):
    document_submit(document=ready_coe, by=author)
    # Added behind the page's back (the page refuses edits in review).
    ContributingFactor.objects.create(postmortem=ready_coe, parent=ready_coe.factors.get(),
                                      category="human_error", text="Someone forgot the flag.")
    with pytest.raises(GatesFailed):
        document_decide(document=ready_coe, reviewer=reviewer, verdict="approve", reason="ok")
    ready_coe.refresh_from_db()
    assert ready_coe.state == State.IN_REVIEW


def test_shell_save_into_review_is_refused(blamed_coe):
    blamed_coe.state = State.IN_REVIEW
    with pytest.raises(GatesFailed):
        blamed_coe.save()
    assert Postmortem.objects.get(pk=blamed_coe.pk).state == State.DRAFT


def test_shell_save_into_approved_is_refused(blamed_coe):
    document = Document.objects.get(pk=blamed_coe.pk)
    document.state = State.APPROVED
    with pytest.raises(GatesFailed):
        document.save(update_fields=["state"])


def test_admin_shows_state_read_only_and_ignores_a_posted_state(client, blamed_coe,
                                                                 django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    url = reverse("admin:postmortems_postmortem_change", args=[blamed_coe.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    data = {
        "service": blamed_coe.service_id, "title": "Edited in the admin",
        "state": State.APPROVED,  # not a field of the form: must be ignored
        "incident_start_0": "2024-06-12", "incident_start_1": "06:19:00",
        "incident_tz": "Europe/Helsinki", "severity": 2, "customers_affected": 1200,
        "customers_description": "EU shoppers", "deleted_at_0": "", "deleted_at_1": "",
        "tags": [t.pk for t in blamed_coe.tags.all()],
        **{f"{p}-{k}": 0 for p in ("timeline", "factors")
           for k in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    blamed_coe.refresh_from_db()
    assert blamed_coe.title == "Edited in the admin"  # the admin saved the form...
    assert blamed_coe.state == State.DRAFT  # ...but not the state


def test_no_coe_json_api_exists(client, blamed_coe, author):
    client.force_login(author)
    assert client.get(f"/api/v1/coe/{blamed_coe.code}/").status_code == 404
