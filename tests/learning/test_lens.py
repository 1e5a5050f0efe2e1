"""Well-Architected custom lens: export follows the documented rules, round trip, hostile files."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from learning.lens import LIMITS, LensError, export_lens, import_lens, parse_lens, validate_lens
from reviews.models import Question, Questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def orr_v1():
    return Questionnaire.objects.get(kind="orr").latest_published()


def comparable(version):
    return {
        q.key: (q.section.key, q.text, q.risk_rules, q.kind, [c.lower() for c in q.choices])
        for q in version.questions()
    }


def test_export_passes_the_documented_rules(orr_v1):
    exported = export_lens(orr_v1)
    assert validate_lens(exported.lens) == []
    assert len(exported.dumps().encode()) <= 500 * 1024
    for pillar in exported.lens["pillars"]:
        assert len(pillar["questions"]) <= LIMITS["questions_per_pillar"]
        for question in pillar["questions"]:
            assert len(question["title"]) <= LIMITS["question_title"]
            assert any(r["condition"] == "default" for r in question["riskRules"])


def test_round_trip_is_equal_by_keys_texts_and_risk_rules(orr_v1):
    data = parse_lens(export_lens(orr_v1).dumps())
    imported = import_lens(data)
    assert imported.status == "draft" and imported.number == orr_v1.number + 1
    assert comparable(imported) == comparable(orr_v1)


def test_long_texts_are_shortened_and_said_so(orr_v1):
    draft = orr_v1.copy_as_draft()
    long_text = "Do you " + "really " * 40 + "page on errors?"
    Question.objects.filter(section__version=draft, key="customer-view").update(text=long_text)
    exported = export_lens(draft)
    assert any("customer-view title" in note for note in exported.notes)
    assert "Shortened on export: " in exported.lens["description"]
    again = import_lens(parse_lens(exported.dumps()))
    assert again.questions().get(key="customer-view").text == long_text


def test_command_round_trip(orr_v1, tmp_path, capsys):
    out = tmp_path / "lens.json"
    call_command("export_lens", "orr", str(orr_v1.number), "--output", str(out))
    assert json.loads(out.read_text())["schemaVersion"] == "2021-11-01"
    call_command("import_lens", str(out))
    assert "imported" in capsys.readouterr().out


@pytest.mark.parametrize("raw, says", [
    (b"x" * (501 * 1024), "500 KB"),
    ("[" * 5000 + "]" * 5000, "nests deeper"),
    ("{\"a\": " * 50 + "1" + "}" * 50, "nests deeper"),
    ("not json", "not valid JSON"),
    ("[]", "a lens is a JSON object"),
    (json.dumps({"schemaVersion": "2021-11-01", "name": 5, "pillars": "lots"}),
     "'name' must be text"),
    (json.dumps({"schemaVersion": "2021-11-01", "name": "L", "pillars": [
        {"id": "p", "name": "P", "questions": [{"id": "q", "title": "T", "choices": [
            {"id": "c", "title": "C", "improvementPlan": {"displayText": "x"}}],
            "riskRules": [{"condition": "nope", "risk": "HIGH_RISK"}]}]}]}),
     "unknown choice"),
    (json.dumps({"schemaVersion": "2021-11-01", "name": "L", "pillars": [
        {"id": f"p{i}", "name": "P", "questions": []} for i in range(11)]}),
     "the lens allows 10"),
])
def test_hostile_files_are_refused_with_a_clear_error(raw, says):
    with pytest.raises(LensError) as refused:
        parse_lens(raw)
    assert says in str(refused.value)


def test_import_command_refuses_a_hostile_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schemaVersion": "2021-11-01", "name": "x" * 500, "pillars": []}))
    with pytest.raises(CommandError, match="the lens allows 128"):
        call_command("import_lens", str(bad))
    assert not Questionnaire.objects.get(kind="orr").versions.filter(status="draft").exists()


def test_page_export_and_import_buttons(orr_v1, ops_lead, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(ops_lead)
    exported = client.get(reverse("learning:lens_export", args=["orr", orr_v1.number]))
    assert exported["Content-Type"] == "application/json"
    lens = b"".join(exported.streaming_content) if exported.streaming else exported.content
    response = client.post(reverse("learning:lens_import", args=["orr"]),
                           {"file": SimpleUploadedFile("lens.json", lens)}, follow=True)
    assert "Imported lens.json as draft" in response.content.decode()
    bad = client.post(reverse("learning:lens_import", args=["orr"]),
                      {"file": SimpleUploadedFile("evil.json", b"[" * 100 + b"]" * 100)},
                      follow=True)
    assert "evil.json was not imported: the JSON nests deeper" in bad.content.decode()
