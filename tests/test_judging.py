"""Precision and format on the sheets (issue 15): every answer sheet and problem statement says
how its answers are judged, for every family and both languages, and the significant figures it
asks for are enough: each key rounded to them is accepted by the grader."""

from __future__ import annotations

import re

import pytest

from grader.core.evaluate import update_baseline
from grader.core.grading import expectation, grade
from grader.core.variants import canonical
from grader.course.assignment import parse_assignment
from grader.course.class_run import class_expectations
from grader.course.generate import problem_markdown
from grader.course.roster import Student
from grader.course.sheets import answer_sheet, judging_note

HEADINGS = {"en": "How answers are judged", "zh": "评分方式"}
STEP = {"en": "judged by its step", "zh": "按步长"}
FORMULA = {"en": "any equivalent form", "zh": "任何等价写法"}


def one_question(family: str, extra: str = "") -> object:
    return parse_assignment(f'id = "hw"\nsalt = "judging-test-salt-0123456789"\n{extra}\n'
                            f'[[questions]]\nid = "q1"\nfamily = "{family}"\n')


def figures(note: str) -> tuple[int, dict[str, int]]:
    """The significant figures a note asks for: every numeric answer's, and the answers that need more."""
    default = int(re.search(r"Give numeric answers to at least (\d+)", note).group(1))
    more = {a: int(d) for ids, d in re.findall(r"Give ((?:`\w+`(?:, )?)+) to at least (\d+)", note)
            for a in re.findall(r"`(\w+)`", ids)}
    return default, more


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_familys_sheet_and_problem_say_how_answers_are_judged(family, lang):
    hw = one_question(family.name)
    answers = family.answers
    derivation = family.derivation()
    updates = [a.id for a in answers if a.kind == "numeric" and update_baseline(derivation, a.id)]
    formulas = [a.id for a in answers if a.kind == "symbolic"]
    sheet = answer_sheet(hw, "s1", lang)
    students = [Student("s1"), Student("s2")]
    prepared = class_expectations(hw, [s.id for s in students])
    problems = [problem_markdown(hw, s, {"q1": prepared["q1"][i]}, lang) for i, s in enumerate(students)]
    for text in (sheet, *problems):
        assert HEADINGS[lang] in text
        if any(a.kind == "numeric" for a in answers):
            assert ("1%" in text) and (("relative" in text) if lang == "en" else ("相对误差" in text))
        for ids, words in ((updates, STEP), (formulas, FORMULA)):
            if ids:
                assert words[lang] in text and all(a in text for a in ids), (family.name, ids)
    for problem in problems:
        note = problem.split(HEADINGS[lang])[1]
        assert ("significant figures" if lang == "en" else "有效数字") in note
        assert "Give every numeric answer" not in problem and "每个数值答案至少" not in problem  # no second rule


def test_the_figures_a_problem_asks_for_are_enough_for_every_familys_key(family):
    """Each numeric key, rounded to the figures its note asks for, is accepted: the seed's own
    numbers (tighter tolerances) and random variants. Updates, judged by their step, get no count
    (it would tell the step's size): their rule says to keep the digits their step needs."""
    hw = one_question(family.name)
    question = hw.questions[0]
    derivation = family.derivation()
    numeric = [a.id for a in family.answers if a.kind == "numeric" and update_baseline(derivation, a.id) is None]
    if not numeric:
        pytest.skip(f"{family.name} has no numeric answer that is not an update")
    ids = [f"s{i}" for i in range(6)]
    for expected in [expectation(canonical(family)), *class_expectations(hw, ids)["q1"]]:
        default, more = figures(judging_note(question, expected, "en"))
        rounded = {a: f"{expected.values[a]:.{more.get(a, default) - 1}e}" for a in numeric}
        result = grade(expected, rounded)
        wrong = {a: (rounded[a], r.feedback) for a in numeric if (r := result.answer(a)).status != "correct"}
        assert not wrong, (family.name, expected.variant.numbers, wrong)


def test_an_assignments_own_tolerances_are_the_ones_stated():
    hw = parse_assignment('id = "hw"\nsalt = "judging-test-salt-0123456789"\n'
                          'tolerance = { mode = "sigfigs", value = 4 }\n'
                          '[[questions]]\nid = "q1"\nfamily = "gd_linear"\n'
                          'tolerances = { eta_max = { mode = "absolute", value = 0.0001 } }\n')
    sheet = answer_sheet(hw, "s1")
    assert "agree with the exact value to 4 significant figures" in sheet
    assert "eta_max: within ±0.0001" in sheet
    assert "4 位有效数字" in answer_sheet(hw, "s1", "zh") and "±0.0001" in answer_sheet(hw, "s1", "zh")
    expected = class_expectations(hw, ["s1"])["q1"][0]
    note = judging_note(hw.questions[0], expected, "en")
    default, more = figures(note)
    assert default == 4 and "`eta_max`: within ±0.0001" in note and "eta_max" not in more, note


def test_the_figures_asked_for_are_the_same_for_every_student_of_a_question(family):
    """A count of figures that followed a variant's values would tell the student the size of a
    step (an update's) or of a key (under an absolute tolerance): the note is the same for all."""
    hw = one_question(family.name, 'tolerance = { mode = "relative", value = 0.01 }')
    question = hw.questions[0]
    if not any(a.kind == "numeric" for a in family.answers):
        pytest.skip(f"{family.name} has no numeric answer")
    asked = set()
    for expected in class_expectations(hw, [f"s{i}" for i in range(40)])["q1"]:
        default, more = figures(judging_note(question, expected, "en"))
        asked.add((default, tuple(sorted(more.items()))))
    assert len(asked) == 1, (family.name, asked)


def test_the_nbgrader_notebook_says_how_answers_are_judged_and_keeps_only_the_asked_answers():
    from tests.test_nbgrader_runtime import HUB, graded

    shown = graded(env=HUB).show("q2").markdown
    assert "How answers are judged" in shown and "significant figures" in shown
    assert "Give every numeric answer" not in shown and "dE_dw1" not in shown  # q2 asks some answers only


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_students_report_restates_the_problem_with_how_answers_are_judged(lang):
    from grader.course.report import QuestionOutcome, student_report

    hw = parse_assignment('id = "hw"\nsalt = "judging-test-salt-0123456789"\n[[questions]]\nid = "q1"\n'
                          'family = "gd_linear"\ntolerances = { eta_max = { mode = "absolute", value = 0.001 } }\n')
    question = hw.questions[0]
    expected = class_expectations(hw, ["s1"])["q1"][0]
    report = student_report(hw, "s1", [QuestionOutcome(question, expected, grade(expected, {}))], lang)
    assert HEADINGS[lang] in report and "±0.001" in report
    assert "Give every numeric answer" not in report and "每个数值答案至少" not in report
