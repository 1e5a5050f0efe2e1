"""The shipped v1 questionnaires say exactly what the source templates say.

The seeds are the blog posts the product is built from. They are not part of the repository:
the fixtures are the product's copy. The comparison runs where the seeds are present, at
`settings.SEEDS_DIR` (environment variable `OPSREVIEW_SEEDS_DIR`, default `../shared/seeds`
beside the repository, where CI keeps them), and is reported as skipped, with the reason, where
they are not. An explicitly set `OPSREVIEW_SEEDS_DIR` that does not exist is a failure.
Their shape, which the parser below relies on:

- a heading is a line indented by two spaces;
- the content of a heading is every non-empty, non-indented line up to the next heading;
- ORR: the nine template sections are the headings "<n> — <title>" (hair spaces around the em
  dash). Everything before the first of them is the blog's introduction and guidance, not
  questions. The last section ends with the blog's outro ("That’s all for now, folks." …),
  which is not a question either.
- COE: the template is the "extended cut": the headings from "Title:" up to (not including)
  "Things to do when doing a postmortem". Inside it, "Example of questions you could
  address:" introduces the analysis questions, "Example: …" lines are examples, and the lesson
  "Lessons learned should correlate directly, …" is advice; none of them are questions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from reviews.loading import parse_questionnaire

REPO = Path(__file__).resolve().parents[2]
SEEDS = Path(settings.SEEDS_DIR)

ORR_HEADING = re.compile(r"^(?P<number>\d)\u200a—\u200a(?P<title>.+)$")
OUTRO_START = "That’s all for now, folks."
ANALYSIS_INTRO = "Example of questions you could address:"
LESSONS_ADVICE = "Lessons learned should correlate directly, if possible, with an action item."
COE_FIRST_HEADING = "Title:"
COE_END_HEADING = "Things to do when doing a postmortem"
HEURISTICS_HEADING = "** Heuristics and biases to watch out for (in no particular order):"
AVOID_HEADING = "Things to avoid when doing a postmortem"

# Seed field name -> the document field its question binds to.
COE_METADATA = {
    "Title": "title",
    "Incident date": "incident_start",
    "Owner": "author",
    "Peer-review committee": "reviewers",
    "Tags": "tags",
}


# --- seed parsing ---------------------------------------------------------------------------


def read_seed(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        message = (
            f"Seed file {path} is missing: the fixtures are compared with the source templates "
            "only where those are present (set OPSREVIEW_SEEDS_DIR to their folder)."
        )
        if os.environ.get("OPSREVIEW_SEEDS_DIR"):
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


def seed_blocks(text: str) -> list[tuple[str, list[str]]]:
    """[(heading, content lines)] in order; lines before the first heading are dropped."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("  "):
            blocks.append((line.strip(), []))
        elif blocks:
            blocks[-1][1].append(line)
    return blocks


def without_outro(lines: list[str]) -> list[str]:
    starts = [i for i, line in enumerate(lines) if line.startswith(OUTRO_START)]
    return lines[: starts[0]] if starts else lines


def orr_seed_sections() -> list[tuple[str, list[str]]]:
    """[(title, questions)] of the nine numbered ORR sections."""
    sections = []
    for heading, lines in seed_blocks(read_seed("orr-template.txt")):
        match = ORR_HEADING.match(heading)
        if match:
            sections.append((match["title"], without_outro(lines)))
    return sections


def orr_seed_guidance() -> dict[str, list[str]]:
    return dict(seed_blocks(read_seed("orr-template.txt")))


def coe_seed_blocks() -> dict[str, list[str]]:
    return dict(seed_blocks(read_seed("postmortem-template.txt")))


def coe_template_headings() -> list[str]:
    headings = [heading for heading, _ in seed_blocks(read_seed("postmortem-template.txt"))]
    return headings[headings.index(COE_FIRST_HEADING): headings.index(COE_END_HEADING)]


def title_of(heading: str) -> str:
    """"Owner :" -> "Owner"."""
    return heading.rstrip(":").strip()


def list_items(lines: list[str]) -> list[str]:
    """Items of a "- " list; an item may start on the line after its dash."""
    items, pending = [], False
    for line in lines:
        if line.strip() == "-":
            pending = True
        elif line.startswith("- "):
            items.append(line[2:])
        elif pending:
            items.append(line)
            pending = False
    return items


# --- fixtures -------------------------------------------------------------------------------


def load_fixture(name: str) -> dict:
    return parse_questionnaire((REPO / "fixtures" / name).read_text(encoding="utf-8"), name)


@pytest.fixture(scope="module")
def orr() -> dict:
    return load_fixture("orr/v1.yaml")


@pytest.fixture(scope="module")
def coe() -> dict:
    return load_fixture("coe/v1.yaml")


def texts(section: dict) -> list[str]:
    return [question["text"] for question in section["questions"]]


def section_titled(data: dict, title: str) -> dict:
    matches = [s for s in data["sections"] if s["title"] == title]
    assert len(matches) == 1, f"expected one section titled {title!r}, found {len(matches)}"
    return matches[0]


# --- ORR ------------------------------------------------------------------------------------


def test_seed_parser_finds_the_nine_orr_sections_and_no_outro():
    sections = orr_seed_sections()
    assert [title for title, _ in sections][:2] == ["Service Definition and Goals", "Architecture"]
    assert len(sections) == 9
    assert all(not line.startswith(OUTRO_START) for _, lines in sections for line in lines)
    assert sections[-1][1][-1] == "Do you update run-books as the service changes?"


def test_orr_v1_has_the_nine_seed_sections_in_order(orr):
    assert [s["title"] for s in orr["sections"]] == [t for t, _ in orr_seed_sections()]
    assert orr["sections"][4]["title"] == "Monitoring, Metrics & Alarms"


@pytest.mark.parametrize("index", range(9))
def test_orr_v1_section_questions_are_the_seed_questions_verbatim_in_order(orr, index):
    title, seed_questions = orr_seed_sections()[index]
    section = orr["sections"][index]
    assert section["title"] == title
    # List equality: same texts, same order, nothing missing and nothing extra.
    assert texts(section) == seed_questions


def test_orr_v1_keeps_the_seed_typos(orr):
    all_texts = [text for section in orr["sections"] for text in texts(section)]
    assert "Are you dashboard clear? Does everyone know what to look at?" in all_texts
    assert "Describe the overall test strategy should follow." in all_texts
    assert any("customer’s point of view" in text for text in all_texts)


def test_orr_v1_guidance_carries_the_seed_guidance_verbatim(orr):
    blocks = orr_seed_guidance()
    for heading in (
        "How to use this ORR template?",
        "Who should do an ORR?",
        "When should you do an ORR?",
        "Can you have the right answers to all questions?",
    ):
        for paragraph in blocks[heading]:
            assert paragraph in orr["guidance"], f"missing guidance under {heading!r}"
    note = [line for line in blocks["Operational Readiness Review Template"]
            if line.startswith("NOTE 1:")]
    assert len(note) == 1 and "it’s own, in-depth, review" in note[0]
    assert note[0] in orr["guidance"]


def test_orr_v1_questions_have_kinds_risks_and_are_required(orr):
    questions = [q for section in orr["sections"] for q in section["questions"]]
    assert all(q["required"] for q in questions)
    yes_no = [q for q in questions if q["kind"] == "yes_no"]
    assert yes_no, "the yes/no questions should be yes_no"
    assert all(q["risk_rules"] for q in yes_no), "every yes_no question suggests a risk"
    by_key = {q["key"]: q for q in questions}
    assert by_key["backups"]["risk_rules"] == {"no": "high"}
    assert by_key["rollback-tested"]["risk_rules"] == {"no": "high"}
    assert by_key["sla"]["kind"] == "markdown"


# --- COE ------------------------------------------------------------------------------------


def test_coe_v1_sections_follow_the_extended_cut_in_order(coe):
    headings = coe_template_headings()
    metadata = [title_of(h) for h in headings[:5]]
    assert metadata == list(COE_METADATA)
    expected = ["Incident", *[title_of(h) for h in headings[5:]]]
    assert [s["title"] for s in coe["sections"]] == expected
    assert [s["widget"] for s in coe["sections"]] == [
        "metadata", "questions", "questions", "questions", "questions", "questions",
        "timeline", "factors", "lessons", "actions",
    ]


def test_coe_v1_metadata_questions_are_the_seed_field_descriptions(coe):
    blocks = coe_seed_blocks()
    section = coe["sections"][0]
    headings = coe_template_headings()[:5]
    assert texts(section) == [blocks[h][0] for h in headings]
    for heading, question in zip(headings, section["questions"], strict=True):
        field = title_of(heading)
        assert question["help"].startswith(field), f"help of {question['key']!r} names {field!r}"
        assert question["binds"] == COE_METADATA[field]
    tags_example = blocks["Tags :"][1]
    assert tags_example.startswith("Example:")
    assert tags_example in section["questions"][-1]["help"]


@pytest.mark.parametrize("title", ["Summary", "Supporting data", "Customer Impact"])
def test_coe_v1_single_question_sections_are_verbatim(coe, title):
    assert texts(section_titled(coe, title)) == coe_seed_blocks()[f"{title}:"]


@pytest.mark.parametrize(
    ("title", "count"), [("Incident Response Analysis", 8), ("Post-Incident Analysis", 13)]
)
def test_coe_v1_analysis_questions_are_verbatim_in_order(coe, title, count):
    lines = coe_seed_blocks()[f"{title}:"]
    assert lines[0] == ANALYSIS_INTRO
    section = section_titled(coe, title)
    assert texts(section) == lines[1:]
    assert len(section["questions"]) == count
    assert ANALYSIS_INTRO in section["guidance"]


def test_coe_v1_asks_whether_an_orr_was_performed(coe):
    questions = {q["key"]: q for s in coe["sections"] for q in s["questions"]}
    assert questions["orr-performed"]["text"] == (
        "Was a production operation readiness or well-architected review performed on the "
        "system(s)? If not, why? When was the last evaluation done?"
    )


@pytest.mark.parametrize(
    "title", ["Timeline", "Diving deep on contributing factors", "Action items"]
)
def test_coe_v1_widget_sections_carry_the_seed_text_as_guidance(coe, title):
    section = section_titled(coe, title)
    lines = coe_seed_blocks()[f"{title}:"]
    assert lines, f"no seed text under {title!r}"
    for line in lines:
        assert line in section["guidance"]
    assert section["questions"] == []


def test_coe_v1_factor_guidance_has_the_four_instructions(coe):
    lines = coe_seed_blocks()["Diving deep on contributing factors:"]
    assert len(lines) == 4
    assert lines[0] == "Start with the problem."


def test_coe_v1_lessons_prompts_are_questions_and_the_advice_is_guidance(coe):
    lines = coe_seed_blocks()["Lessons Learned:"]
    section = section_titled(coe, "Lessons Learned")
    assert texts(section) == [line for line in lines if line != LESSONS_ADVICE]
    assert len(section["questions"]) == 4
    assert all(q["kind"] == "markdown" for q in section["questions"])
    assert LESSONS_ADVICE in section["guidance"]


def test_coe_v1_guidance_carries_the_dos_donts_and_biases_verbatim(coe):
    blocks = coe_seed_blocks()
    guidance = coe["guidance"]
    quote = [line for line in blocks["What is a postmortem?"] if line.startswith("“Postmortems")]
    assert len(quote) == 1 and quote[0] in guidance
    dos = list_items(blocks[COE_END_HEADING])
    biases = list_items(blocks[HEURISTICS_HEADING])
    donts = list_items(without_outro(blocks[AVOID_HEADING]))
    assert (len(dos), len(biases), len(donts)) == (9, 5, 8)
    for item in [*dos, *biases, *donts]:
        assert item in guidance, f"missing from the COE guidance: {item[:60]!r}"
    assert OUTRO_START not in guidance


def test_coe_v1_questions_are_required_markdown_except_bound_fields(coe):
    for section in coe["sections"][1:]:
        for question in section["questions"]:
            assert question["kind"] == "markdown", question["key"]
            assert question["required"], question["key"]
            assert not question["binds"], question["key"]
