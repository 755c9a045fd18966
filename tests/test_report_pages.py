"""A report's or a problem sheet's page made from its lines equals what markdown-it makes of the whole text.

The oracle is the former path, kept here: the report's Markdown rendered whole by markdown-it
(with latex2mathml for its formulas) and sanitised, with no template and no cache of blocks.
"""

from __future__ import annotations

import random

import pytest

from grader.core.grading import Settings, expectations, grade
from grader.course.assignment import Assignment, FamilyQuestion
from grader.course.report import QuestionOutcome, report_lines, student_report
from grader.families import FAMILIES
from grader.text.html import _MD, TEXT_SLOT, Rendered, body, joined, literal, page, page_of, sanitize, with_text
from tests.conftest import roster_variants


def oracle_page(markdown: str, title: str, lang: str) -> str:
    """The page around the whole Markdown rendered by markdown-it and sanitised (no template)."""
    around = page("", title, lang)
    return around.replace("<body>\n</body>", "<body>\n" + sanitize(_MD.render(markdown)) + "</body>")


def answers(family, expected, rng: random.Random) -> dict[str, str]:
    """What a student might write: right values, rounded ones, wrong ones, blanks and garbage."""
    written = {}
    for a in family.answers:
        roll = rng.random()
        value = expected.values.get(a.id)
        if roll < 0.15:
            continue
        if roll < 0.25:
            written[a.id] = rng.choice(["x = |", "$1", "0.5.5", "`a`"])
        elif value is not None and roll < 0.5:
            written[a.id] = f"{value * rng.uniform(0.5, 1.5):.4g}"
        elif value is not None:
            written[a.id] = f"{value:.6g}"
        else:
            written[a.id] = rng.choice(["x*w", "monotone", "a"])
    return written


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_a_report_page_from_templates_equals_markdown_it_on_the_whole_report(name):
    family = FAMILIES[name]
    rng = random.Random(name)
    question = FamilyQuestion("q1", family, Settings())
    assignment = Assignment("hw", "Homework", (question,))
    variants = roster_variants(name, 12, assignment=f"pages-{name}")
    used = 0
    for expected, lang in zip(expectations(family, variants), ["en", "zh"] * 6, strict=True):
        result = grade(expected, answers(family, expected, rng))
        outcome = [QuestionOutcome(question, expected, result if rng.random() < 0.8 else None)]
        student = rng.choice(["Ada Lovelace (s1)", "s1 <b>", "O'Neil (u00001)", "u00002"])
        lines = report_lines(assignment, student, outcome, lang, notes=["line 3: `x` not read"])
        markdown = joined(lines).rstrip() + "\n"
        assert markdown == student_report(assignment, student, outcome, lang, notes=["line 3: `x` not read"])
        assert page_of(lines, "Homework: s1", lang) == oracle_page(markdown, "Homework: s1", lang)
        used += sum(isinstance(line, Rendered) for line in lines)
    assert used, "no line was rendered once for the class"


def test_a_rendered_block_that_is_not_a_block_of_its_own_falls_back_to_the_whole_text():
    block = with_text(f"**Given:** $x = 0.5$ for {TEXT_SLOT}", "s1")
    assert isinstance(block, Rendered)
    for lines in (["- item", block, ""], ["para", "", block, "    indented", ""], ["para", "", block, "", "- a"],
                  ["", block, "", "```", "code", "```"], ["para", block, "", "after"]):
        markdown = joined(lines)
        assert page_of(lines, "t") == oracle_page(markdown, "t", "en"), lines
    lines = ["# title", "", block, "", "after", "", block, ""]
    assert page_of(lines, "t") == oracle_page(joined(lines), "t", "en")


@pytest.mark.parametrize("text", ["Ada Lovelace (s001)", "u00001.txt", "d~3f2a_x.py", "O'Neil <b>", "# x",
                                  "a_b_ c", "(s1)", "1. x", "Zoë (z9)", "", " x ", "a  b"])
def test_a_block_with_a_text_slot_equals_markdown_it_on_the_filled_block(text):
    for block in (f"# Homework: feedback for {TEXT_SLOT}", f"Hand in `{TEXT_SLOT}` (one answer per line).",
                  f"Code exercise: write `f` and hand in your file as `{TEXT_SLOT}`.\n"):
        filled = with_text(block, literal(text) if "`" not in block else text)
        markdown = filled if isinstance(filled, str) else filled.markdown
        assert markdown == block.replace(TEXT_SLOT, literal(text) if "`" not in block else text)
        html = body(markdown) if isinstance(filled, str) else filled.html
        assert html == sanitize(_MD.render(markdown)), markdown


def test_a_problem_sheet_page_equals_markdown_it_on_the_whole_sheet():
    from grader.course.class_run import class_expectations
    from grader.course.generate import problem_lines
    from grader.course.inputs import load_assignment
    from grader.course.roster import Student
    from tests.test_bundled_snapshot import ROOT

    assignment, _ = load_assignment(ROOT / "examples" / "hw1.toml")
    students = [Student("u00001", "Student u00001"), Student("s~x(1)", "A <b> & _c_"), Student("zz.9", ""),
                Student("b-2", "Zoë")]
    prepared = class_expectations(assignment, [s.id for s in students])
    rendered = 0
    for i, student in enumerate(students):
        for lang in ("en", "zh"):
            lines = problem_lines(assignment, student, {q: column[i] for q, column in prepared.items()}, lang)
            markdown = joined(lines)
            assert page_of(lines, "hw1: s", lang) == oracle_page(markdown, "hw1: s", lang), student
            rendered += sum(isinstance(line, Rendered) for line in lines)
    assert rendered, "no line of a problem sheet was made from a template"


def test_a_text_slot_inside_a_formula_is_not_filled_from_a_template():
    filled = with_text(f"Given $\\mathrm{{{TEXT_SLOT}}} = 1$ here", "u001")
    assert isinstance(filled, str)
    assert body(filled) == sanitize(_MD.render(filled))
