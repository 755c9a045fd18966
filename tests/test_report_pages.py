"""A report's page made from templates equals the page markdown-it makes of the whole report.

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
from grader.text.html import (
    _MD,
    TEXT_SLOT,
    NumberedTemplate,
    Rendered,
    body,
    joined,
    literal,
    numbered_template,
    page,
    page_of,
    sanitize,
    slot_marks,
    with_text,
)
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
        lines = report_lines(assignment, "s1 <b>", outcome, lang, notes=["line 3: `x` not read"])
        markdown = joined(lines).rstrip() + "\n"
        assert markdown == student_report(assignment, "s1 <b>", outcome, lang, notes=["line 3: `x` not read"])
        assert page_of(lines, "Homework: s1", lang) == oracle_page(markdown, "Homework: s1", lang)
        used += sum(isinstance(line, Rendered) for line in lines)
    assert used, "no formula line was made from a template"


SHAPES = (  # blocks with numbers a..d where a worked solution or a prose line may put them
    "$$w_{1} = w_{0} - \\eta \\mathrm{grad}_{1} = {a} - {b} \\cdot \\left({c}\\right) = {d}$$",
    "$$E = \\frac{\\left({a} - {b}\\right)^{2}}{2} = {c}$$",
    "$$h_{1} = \\sigma{\\left({a} \\right)} = {b}$$",
    "$$y = e^{{a}} + \\left({b}\\right)^{2} - \\sqrt{{c}} = {d}$$",
    "**Given:** $i_{1} = {a}$, $i_{2} = {b}$, $w_{1} = {c}$",
    "The step is {a} and then {b}; `q1.w_1 = {c}` was read as {d} here.",
    "**Run {a} epochs** from $w_0 = {b}$; $x = {c}$ is {d}",
)


def number(rng: random.Random) -> str:
    whole = rng.choice(["0", "1", "12", "7", "250"])
    text = whole if rng.random() < 0.4 else f"{whole}.{rng.randint(0, 10 ** rng.randint(1, 6))}"
    return ("-" if rng.random() < 0.4 else "") + text


@pytest.mark.parametrize("seed", range(30))
def test_a_filled_template_equals_the_filled_text_rendered_whole(seed):
    """Integers and decimals, either sign, in formulas and in prose: the template made with
    placeholders and filled is what markdown-it makes of the text with the numbers."""
    rng = random.Random(seed)
    for shape in SHAPES:
        values = [number(rng) for _ in "abcd"]
        marks = slot_marks([v.startswith("-") for v in values])
        marked, text = shape, shape
        for key, mark, value in zip("abcd", marks, values, strict=True):
            marked, text = marked.replace("{" + key + "}", mark), text.replace("{" + key + "}", value)
        template = numbered_template(marked, marks)
        assert template is not None, marked
        filled = template.fill(values)
        assert filled.markdown == text
        assert filled.html == sanitize(_MD.render(text)), text


@pytest.mark.parametrize("marked", [
    "1. first\n{a} files",  # a number at a line's start may make a list
    "- {a}\n  {b}",
    "$$x = 2{a}$$",  # digits glued to a placeholder make one number
    "```\n{a}\n```",
])
def test_a_text_where_a_number_could_change_the_markup_has_no_template(marked):
    marks = slot_marks([False, False])
    assert numbered_template(marked.replace("{a}", marks[0]).replace("{b}", marks[1]), marks) is None


def test_a_rendered_block_that_is_not_a_block_of_its_own_falls_back_to_the_whole_text():
    marks = slot_marks([False])
    template = numbered_template(f"$$x = {marks[0]}$$", marks)
    assert isinstance(template, NumberedTemplate)
    block = template.fill(["0.5"])
    for lines in (["- item", block, ""], ["para", "", block, "    indented", ""], ["para", "", block, "", "- a"],
                  ["", block, "", "```", "code", "```"]):
        markdown = joined(lines)
        assert page_of(lines, "t") == oracle_page(markdown, "t", "en"), lines
    lines = ["# title", "", block, "", "after"]
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
