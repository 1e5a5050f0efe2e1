import pytest

from postmortems import services
from postmortems.models import ContributingFactor
from reviews import gates

from .conftest import add_action

Category = ContributingFactor.Category


def results(coe):
    return {r.name: r for r in gates.evaluate(coe)}


def failing_names(coe):
    return {r.name for r in gates.failing(coe)}


def add_factor(coe, text, category=Category.TECHNICAL, parent=None):
    return services.factor_add(postmortem=coe, by=coe.author, category=category, text=text,
                               parent=parent)


def test_the_gates_are_listed_in_order(coe):
    assert [r.name for r in gates.evaluate(coe)] == [
        "required_answered", "timeline_complete", "has_factor", "no_human_error_leaf",
        "no_blame_wording", "factors_addressed", "committee_assigned",
    ]


def test_new_coe_fails_the_content_gates(coe):
    assert failing_names(coe) == {"required_answered", "timeline_complete", "has_factor",
                                  "committee_assigned"}


def test_complete_coe_passes_every_gate(ready_coe):
    assert failing_names(ready_coe) == set()


def test_one_unanswered_required_question_fails(ready_coe, author):
    answer = ready_coe.answers.get(question__key="orr-performed")
    answer.save_if_current(base_revision=answer.revision, by=author, text="")
    assert results(ready_coe)["required_answered"].message == "1 required question(s) unanswered"


def test_no_factor_fails(ready_coe):
    ready_coe.factors.all().delete()
    assert results(ready_coe)["has_factor"].message.startswith("add the problem")


def test_leaf_without_action_or_accepted_reason_fails(ready_coe):
    root = ready_coe.factors.get()
    child = add_factor(ready_coe, "The pool default came from a 2019 template.", parent=root)
    assert "factors_addressed" in failing_names(ready_coe)
    assert "2019 template" in results(ready_coe)["factors_addressed"].message
    services.factor_accept(factor=child, by=ready_coe.author,
                           reason="The template is retired next week (PLAT-88).")
    assert "factors_addressed" not in failing_names(ready_coe)


def test_action_on_a_parent_does_not_address_its_leaves(ready_coe):
    # The root has the action item; once it has a "why" below, the leaf needs its own.
    add_factor(ready_coe, "Load tests never exercised 3x traffic.",
               parent=ready_coe.factors.get())
    assert "factors_addressed" in failing_names(ready_coe)


def test_action_on_the_leaf_addresses_it(ready_coe):
    leaf = add_factor(ready_coe, "Load tests never exercised 3x traffic.",
                      parent=ready_coe.factors.get())
    add_action(ready_coe, factor=leaf, title="Run the checkout load test at 3x peak weekly")
    assert "factors_addressed" not in failing_names(ready_coe)


@pytest.mark.parametrize("category,text", [
    (Category.HUMAN_ERROR, "A configuration value was set to 2000."),
    (Category.TECHNICAL, "The operator accidentally ran the migration against production."),
])
def test_human_error_leaf_fails_by_category_or_by_wording(ready_coe, category, text):
    factor = add_factor(ready_coe, text, category=category, parent=ready_coe.factors.get())
    add_action(ready_coe, factor=factor, title="Add a two-person approval to prod migrations")
    result = results(ready_coe)["no_human_error_leaf"]
    assert not result.passed
    assert "ask what in the system allowed" in result.message


def test_human_error_with_a_why_below_passes(ready_coe):
    human = add_factor(ready_coe, "The operator ran the wrong command.",
                       category=Category.HUMAN_ERROR, parent=ready_coe.factors.get())
    why = add_factor(ready_coe, "The CLI runs against production without a confirmation.",
                     category=Category.TOOLING, parent=human)
    add_action(ready_coe, factor=why, title="Make the CLI ask for the cluster name on prod")
    assert "no_human_error_leaf" not in failing_names(ready_coe)


def test_blocking_blame_wording_in_a_factor_fails(ready_coe):
    root = ready_coe.factors.get()
    root.text = "John forgot to check the pool size."
    root.save()
    add_factor(ready_coe, "Pool size is not in the review checklist.", Category.PROCESS, root)
    assert "no_blame_wording" in failing_names(ready_coe)
    assert "factor “John forgot" in results(ready_coe)["no_blame_wording"].message


def test_blocking_blame_wording_in_the_summary_fails(ready_coe, author):
    answer = ready_coe.answers.get(question__key="summary")
    answer.save_if_current(base_revision=answer.revision, by=author,
                           text="The outage happened because of human error by the on-call.")
    assert "summary “The outage" in results(ready_coe)["no_blame_wording"].message


def test_blocking_blame_wording_in_a_lesson_fails(ready_coe):
    services.lesson_add(postmortem=ready_coe, by=ready_coe.author,
                        text="Alice was careless with the config.")
    assert "no_blame_wording" in failing_names(ready_coe)


def test_warnings_do_not_block(ready_coe):
    services.lesson_add(postmortem=ready_coe, by=ready_coe.author,
                        text="We should have had a canary stage for pool settings.")
    assert "no_blame_wording" not in failing_names(ready_coe)


def test_committee_gate(coe):
    assert results(coe)["committee_assigned"].message == "name the peer-review committee"


def test_accepting_a_human_error_leaf_is_refused(ready_coe):
    from django.core.exceptions import ValidationError

    human = add_factor(ready_coe, "Operator error.", Category.HUMAN_ERROR,
                       ready_coe.factors.get())
    with pytest.raises(ValidationError, match="ask why"):
        services.factor_accept(factor=human, by=ready_coe.author, reason="It happens.")


def test_only_a_leaf_can_be_deleted(ready_coe):
    from django.core.exceptions import ValidationError

    root = ready_coe.factors.get()
    leaf = add_factor(ready_coe, "Child", parent=root)
    with pytest.raises(ValidationError, match="Only a leaf"):
        services.factor_delete(factor=root, by=ready_coe.author)
    services.factor_delete(factor=leaf, by=ready_coe.author)
    assert ready_coe.events.filter(verb="factor_deleted").exists()


def test_gates_work_on_a_plain_document_row(ready_coe):
    from reviews.models import Document

    assert gates.failing(Document.objects.get(pk=ready_coe.pk)) == []
