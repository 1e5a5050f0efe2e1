"""Every documented limit of the Well-Architected custom lens format ("Lens format specification
in AWS WA Tool"): the export keeps to it (shortening and saying so), the import refuses a file
that breaks it."""

from __future__ import annotations

import copy
import json

import pytest

from learning.lens import (
    LIMITS,
    LensError,
    export_lens,
    import_lens,
    key_of,
    lens_id,
    parse_lens,
    validate_lens,
)
from reviews.models import Question, Questionnaire, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return Questionnaire.objects.get(kind="orr").latest_published().copy_as_draft()


def exported(version):
    result = export_lens(version)
    assert validate_lens(result.lens) == [], "the export itself must keep every rule"
    assert len(result.dumps().encode()) <= 500 * 1024
    return result


def questions(lens):
    return [q for pillar in lens["pillars"] for q in pillar["questions"]]


def question(lens, key):
    return next(q for q in questions(lens) if q["id"] == lens_id(key))


# --- export ---------------------------------------------------------------------------------


def test_every_id_is_3_to_128_letters_digits_or_underscore_and_reads_back(draft):
    lens = exported(draft).lens
    ids = [p["id"] for p in lens["pillars"]] + [q["id"] for q in questions(lens)] + [
        c["id"] for q in questions(lens) for c in q["choices"]]
    assert all(3 <= len(i) <= 128 and i.replace("_", "").isalnum() for i in ids)
    assert question(lens, "customer-view")["id"] == "customer_view"
    assert {key_of(q["id"]) for q in questions(lens)} == {q.key for q in draft.questions()}
    # No yes/no choice id ends in _no (the lens's "None of these" choice).
    assert not any(c["id"].endswith("_no") for q in questions(lens) for c in q["choices"])


def test_a_key_the_id_cannot_carry_is_said(draft):
    Question.objects.filter(section__version=draft, key="sla").update(key="sl")
    Question.objects.filter(section__version=draft, key="rto-rpo").update(key="rto_rpo")
    result = exported(draft)
    assert question(result.lens, "sl")["id"] == "sl_"
    assert key_of("sl_") == "sl"
    assert any("question rto_rpo: exported as id rto_rpo" in n and "reads it back as rto-rpo" in n
               for n in result.notes)
    assert not any("question sl:" in n for n in result.notes)


def test_lens_name_over_128_is_shortened(draft):
    Questionnaire.objects.filter(pk=draft.questionnaire_id).update(name="N" * 140)
    draft.refresh_from_db()
    draft.questionnaire.refresh_from_db()
    result = exported(draft)
    assert len(result.lens["name"]) == LIMITS["lens_name"] == 128
    assert any(n.startswith("lens name: shortened from 143 to 128") for n in result.notes)


def test_lens_description_over_2048_is_shortened(draft):
    type(draft).objects.filter(pk=draft.pk).update(guidance="g" * 3000)
    draft.refresh_from_db()
    result = exported(draft)
    assert len(result.lens["description"]) <= LIMITS["lens_description"] == 2048
    assert result.lens["description"].endswith(f"Shortened on export: {len(result.notes)} item(s).")
    assert any("lens description" in n for n in result.notes)


def test_more_than_10_sections_are_left_out_and_named(draft):
    for n in range(10):
        section = Section.objects.create(version=draft, key=f"extra-{n}", order=20 + n,
                                         title=f"Extra {n}")
        Question.objects.create(section=section, key=f"extra-q-{n}", order=1, text="Q?",
                                help="h")
    result = exported(draft)
    assert len(result.lens["pillars"]) == LIMITS["pillars"] == 10
    assert any("the lens allows 10: left out" in n and "extra-9" in n for n in result.notes)


def test_more_than_20_questions_in_a_section_are_left_out_and_named(draft):
    section = draft.sections.get(key="architecture")
    for n in range(25):
        Question.objects.create(section=section, key=f"more-{n}", order=100 + n, text="Q?",
                                help="h")
    result = exported(draft)
    pillar = next(p for p in result.lens["pillars"] if p["id"] == "architecture")
    assert len(pillar["questions"]) == LIMITS["questions_per_pillar"] == 20
    assert any("section architecture" in n and "more-24" in n for n in result.notes)


def test_section_title_over_128_is_shortened(draft):
    draft.sections.filter(key="architecture").update(title="T" * 150)
    result = exported(draft)
    pillar = next(p for p in result.lens["pillars"] if p["id"] == "architecture")
    assert len(pillar["name"]) == LIMITS["pillar_name"] == 128
    assert any("section architecture title: shortened" in n for n in result.notes)


def test_question_description_and_guidance_over_2048_are_shortened(draft):
    Question.objects.filter(section__version=draft, key="sla").update(
        text="W" * 2100, help="H" * 3000)
    result = exported(draft)
    sla = question(result.lens, "sla")
    assert len(sla["title"]) == LIMITS["question_title"] == 128
    assert len(sla["description"]) == LIMITS["question_description"] == 2048
    assert len(sla["helpfulResource"]["displayText"]) == LIMITS["question_resource"] == 2048
    assert any("question sla description: shortened from 2100" in n for n in result.notes)
    assert any("question sla guidance: shortened from 3000" in n for n in result.notes)
    # A title that fits carries no description at all (none is better than an empty one).
    assert "description" not in question(result.lens, "customer-view")


def test_more_than_15_choices_and_long_choice_titles(draft):
    answers = [f"answer {n}" for n in range(17)] + ["X" * 140]
    Question.objects.filter(section__version=draft, key="sla").update(
        kind="choice", choices=["Y" * 140] + answers, risk_rules={"answer 1": "high"})
    result = exported(draft)
    sla = question(result.lens, "sla")
    assert len(sla["choices"]) == LIMITS["choices_per_question"] == 15
    assert len(sla["choices"][0]["title"]) == LIMITS["choice_title"] == 128
    assert any("question sla: 19 choices, the lens allows 15" in n for n in result.notes)
    assert any("question sla choice choice_1: shortened from 140 to 128" in n
               for n in result.notes)


def test_risk_rules_are_one_per_level_with_a_default(draft):
    lens = exported(draft).lens
    for q in questions(lens):
        levels = [r["risk"] for r in q["riskRules"]]
        assert len(levels) <= LIMITS["risk_rules"] == 3
        assert len(set(levels)) == len(levels)
        assert [r["condition"] for r in q["riskRules"]].count("default") == 1
    # {no: high}: "no" is high, the default (only "yes" reaches it) is no risk.
    assert question(lens, "security-review")["riskRules"] == [
        {"condition": "no_answer", "risk": "HIGH_RISK"},
        {"condition": "default", "risk": "NO_RISK"}]


def test_a_choice_question_with_all_three_levels_folds_no_risk_into_the_default(draft):
    Question.objects.filter(section__version=draft, key="sla").update(
        kind="choice", choices=["Full", "Partial", "Some", "None"],
        risk_rules={"full": "none", "partial": "medium", "some": "medium", "none": "high"})
    result = exported(draft)
    assert question(result.lens, "sla")["riskRules"] == [
        {"condition": "choice_2 || choice_3", "risk": "MEDIUM_RISK"},
        {"condition": "choice_4", "risk": "HIGH_RISK"},
        {"condition": "default", "risk": "NO_RISK"}]
    assert any("question sla: the lens allows one risk rule per level" in n
               for n in result.notes)
    back = import_lens(parse_lens(result.dumps())).questions().get(key="sla")
    assert back.risk_rules == {"partial": "medium", "some": "medium", "none": "high"}


def test_round_trip_keeps_two_level_choice_rules(draft):
    rules = {"full": "none", "partial": "medium"}
    Question.objects.filter(section__version=draft, key="sla").update(
        kind="choice", choices=["Full", "Partial", "Nothing"], risk_rules=rules)
    result = exported(draft)
    assert question(result.lens, "sla")["riskRules"][-1] == {"condition": "default",
                                                             "risk": "HIGH_RISK"}
    back = import_lens(parse_lens(result.dumps())).questions().get(key="sla")
    assert back.risk_rules == rules and back.choices == ["Full", "Partial", "Nothing"]


def test_the_coe_questionnaire_exports_too(questionnaires):
    # Its "summary" section and question share a key: pillar and question ids are apart.
    exported(Questionnaire.objects.get(kind="coe").latest_published())


# --- import ---------------------------------------------------------------------------------


def lens(**changes):
    """A small valid lens; `changes` maps a dotted path to a new value (None deletes)."""
    data = {
        "schemaVersion": "2021-11-01",
        "name": "Pools",
        "description": "Connection pools.",
        "pillars": [{
            "id": "pools",
            "name": "Pools",
            "questions": [{
                "id": "pool_bound",
                "title": "Is every pool bounded?",
                "description": "Per instance.",
                "helpfulResource": {"displayText": "See the COE.",
                                    "url": "https://example.com/coe"},
                "choices": [
                    {"id": "choice_1", "title": "Bounded",
                     "helpfulResource": {"displayText": "Good."},
                     "improvementPlan": {"displayText": "Keep it.",
                                         "url": "https://example.com/plan"}},
                    {"id": "choice_2", "title": "Alarmed",
                     "improvementPlan": {"displayText": "Alarm on waits."}},
                    {"id": "choice_3", "title": "Reviewed",
                     "improvementPlan": {"displayText": "Review on scale-out."}},
                    {"id": "option_no", "title": "None of these"},
                ],
                "riskRules": [
                    {"condition": "choice_1 && choice_2 && choice_3", "risk": "NO_RISK"},
                    {"condition": "((choice_1 || choice_2) && choice_3) || "
                                  "(!choice_1 && choice_3)", "risk": "MEDIUM_RISK"},
                    {"condition": "default", "risk": "HIGH_RISK"},
                ],
            }],
        }],
    }
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            last = int(last)
        if value is None:
            del node[last]
        else:
            node[last] = value
    return data


Q = "pillars.0.questions.0"
C = f"{Q}.choices.0"


def refused(data) -> str:
    with pytest.raises(LensError) as caught:
        parse_lens(json.dumps(data))
    return str(caught.value)


def test_the_documented_example_is_accepted_and_rated_as_the_lens_would():
    # The user guide's own risk rules; the "None of these" choice needs no improvement plan.
    version = import_lens(parse_lens(json.dumps(lens())))
    q = version.questions().get()
    assert q.key == "pool-bound" and q.kind == "choice"
    # Each answer as if chosen alone: only choice_3 reaches a rule (the medium one).
    assert q.risk_rules == {"reviewed": "medium"}


def test_additional_resources_within_the_limits_are_accepted():
    extra = [{"type": "HELPFUL_RESOURCE", "content": [
        {"displayText": f"more {n}", "url": "https://example.com/x"} for n in range(5)]},
        {"type": "IMPROVEMENT_PLAN", "content": [{"displayText": "plan"}]}]
    parse_lens(json.dumps(lens(**{f"{C}.additionalResources": extra})))


LONG = {  # what: (path, value, the message)
    "lens name": ("name", "n" * 129, "'name' is 129 characters; the lens allows 128"),
    "lens description": ("description", "d" * 2049,
                         "'description' is 2049 characters; the lens allows 2048"),
    "pillar name": ("pillars.0.name", "p" * 129, "the lens allows 128"),
    "question title": (f"{Q}.title", "t" * 129, "'title' is 129 characters"),
    "question description": (f"{Q}.description", "d" * 2049, "the lens allows 2048"),
    "question helpful text": (f"{Q}.helpfulResource.displayText", "h" * 2049,
                              "helpfulResource: 'displayText' is 2049"),
    "choice title": (f"{C}.title", "c" * 129, "choice 1: 'title' is 129 characters"),
    "choice helpful text": (f"{C}.helpfulResource.displayText", "h" * 2049,
                            "choice 1 helpfulResource: 'displayText' is 2049"),
    "improvement plan": (f"{C}.improvementPlan.displayText", "i" * 2049,
                         "choice 1 improvementPlan: 'displayText' is 2049"),
    "id too long": (f"{Q}.id", "q" * 129, "'id' is 129 characters"),
}


@pytest.mark.parametrize("what", LONG)
def test_a_text_over_its_documented_length_is_refused(what):
    path, value, says = LONG[what]
    assert says in refused(lens(**{path: value}))
    # One character less is fine.
    parse_lens(json.dumps(lens(**{path: value[:-1]})))


def test_counts_over_the_documented_limits_are_refused():
    pillar = lens()["pillars"][0]
    many_pillars = [{**pillar, "id": f"pillar_{n}"} for n in range(11)]
    assert "11 pillars; the lens allows 10" in refused(lens(pillars=many_pillars))
    question_ = pillar["questions"][0]
    many_questions = [{**question_, "id": f"question_{n}"} for n in range(21)]
    assert "21 questions; the lens allows 20" in refused(
        lens(**{"pillars.0.questions": many_questions}))
    choice = question_["choices"][1]
    many_choices = [{**choice, "id": f"choice_{n}"} for n in range(1, 17)]
    assert "16 choices; the lens allows 15" in refused(lens(**{f"{Q}.choices": many_choices}))
    extra = [{"type": "HELPFUL_RESOURCE", "content": [{"displayText": "x"}] * 3}] * 2
    assert "6 additional HELPFUL_RESOURCE items; the lens allows 5" in refused(
        lens(**{f"{C}.additionalResources": extra}))
    rules = [{"condition": "choice_1", "risk": "NO_RISK"},
             {"condition": "choice_2", "risk": "MEDIUM_RISK"},
             {"condition": "choice_3", "risk": "HIGH_RISK"},
             {"condition": "default", "risk": "HIGH_RISK"}]
    says = refused(lens(**{f"{Q}.riskRules": rules}))
    assert "4 risk rules; the lens allows 3, one for each level of risk" in says


@pytest.mark.parametrize("bad_id, says", [
    ("ab", "must be 3 to 128 letters, digits or _"),
    ("pool-bound", "must be 3 to 128 letters, digits or _"),
    ("pool bound", "must be 3 to 128 letters, digits or _"),
])
def test_ids_outside_the_documented_format_are_refused(bad_id, says):
    assert says in refused(lens(**{f"{Q}.id": bad_id}))
    assert says in refused(lens(**{"pillars.0.id": bad_id}))
    choices = lens()["pillars"][0]["questions"][0]["choices"]
    choices[1]["id"] = bad_id
    assert says in refused(lens(**{f"{Q}.choices": choices}))


def test_duplicate_ids_are_refused():
    choices = lens()["pillars"][0]["questions"][0]["choices"]
    choices[1]["id"] = "choice_1"
    assert "id 'choice_1' used twice" in refused(lens(**{f"{Q}.choices": choices}))


@pytest.mark.parametrize("change, says", [
    ({f"{C}.improvementPlan": None}, "choice 1: missing 'improvementPlan'"),
    ({f"{C}.improvementPlan.displayText": None}, "improvementPlan: missing 'displayText'"),
    ({f"{Q}.helpfulResource.url": "ftp://example.com/x"},
     "'url' must start with http:// or https://"),
    ({f"{Q}.helpfulResource.displayText": None}, "'displayText' is required with a 'url'"),
    ({f"{C}.additionalResources": [{"type": "VIDEO", "content": []}]},
     "'type' must be HELPFUL_RESOURCE or IMPROVEMENT_PLAN"),
    ({f"{C}.additionalResources": [{"type": "IMPROVEMENT_PLAN", "content": [
        {"displayText": "x", "url": "javascript:alert(1)"}]}]}, "must start with http://"),
])
def test_resources_outside_the_documented_format_are_refused(change, says):
    assert says in refused(lens(**change))


@pytest.mark.parametrize("rules, says", [
    ([{"condition": "choice_1", "risk": "NO_RISK"}], "exactly one 'default' condition (found 0)"),
    ([{"condition": "default", "risk": "NO_RISK"}, {"condition": "default", "risk": "HIGH_RISK"}],
     "exactly one 'default' condition (found 2)"),
    ([{"condition": "choice_1", "risk": "HIGH_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "a second rule for HIGH_RISK"),
    ([{"condition": "choice_1 &&", "risk": "NO_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "not a Boolean expression of choice ids"),
    ([{"condition": "(choice_1 || choice_2", "risk": "NO_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "a '(' is not closed"),
    ([{"condition": "choice_1 and choice_2", "risk": "NO_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "(unexpected 'and')"),
    ([{"condition": "choice_1 && !choice_9", "risk": "NO_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "unknown choice(s) choice_9"),
    ([{"condition": "choice_1 == 1", "risk": "NO_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "not a Boolean expression"),
    ([{"condition": "(" * 30 + "choice_1" + ")" * 30, "risk": "NO_RISK"},
      {"condition": "default", "risk": "HIGH_RISK"}], "nested deeper than 20"),
    ([{"condition": "choice_9", "risk": "LOW_RISK"}, {"condition": "default", "risk": "HIGH_RISK"}],
     "'risk' must be HIGH_RISK, MEDIUM_RISK or NO_RISK"),
])
def test_risk_rules_outside_the_documented_syntax_are_refused(rules, says):
    assert says in refused(lens(**{f"{Q}.riskRules": copy.deepcopy(rules)}))


def test_nothing_is_created_from_a_refused_file(draft):
    before = Question.objects.count()
    refused(lens(**{f"{Q}.riskRules": []}))
    assert Question.objects.count() == before
