"""The kernel runtime, in-process: keys score full marks, identity problems are flagged, stderr stays empty."""

from __future__ import annotations

import math

import pytest

from grader.assignment import parse_assignment
from grader.families import FAMILIES
from grader.grading import expectation, grade
from grader.keys import answer_key
from grader.nbgrader.layout import question_points
from grader.nbgrader.report import cell_score
from grader.nbgrader.runtime import GradingFlagged, KeyRefused, setup, to_raw
from grader.variants import generate

ASSIGNMENT = """
id = "hw1"
salt = "spring"
[[questions]]
id = "q1"
family = "gd_linear"
[[questions]]
id = "q2"
family = "backprop_222"
answers = ["o1", "E", "delta_o1", "delta_o1_expr"]
"""
HUB = {"JUPYTERHUB_USER": "alice"}
AUTOGRADE = {"NBGRADER_EXECUTION": "autograde", "JUPYTERHUB_USER": "teacher"}


def own_key(student: str, question: str, text: str = ASSIGNMENT) -> dict:
    """The key of a student's variant, straight from the core (the salt is part of the variant)."""
    a = parse_assignment(text)
    q = a.question(question)
    return {k: e.value for k, e in answer_key(generate(q.family, [a.key(student, q)])[0]).items()
            if q.settings.asks(q.family.answer(k))}


def core_score(student: str, question: str, answers: dict) -> float:
    a = parse_assignment(ASSIGNMENT)
    q = a.question(question)
    return grade(expectation(generate(q.family, [a.key(student, q)])[0]), answers, q.settings).score


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_key_scores_full_marks_in_every_family(family, capsys):
    text = f'id = "hw"\n[[questions]]\nid = "q"\nfamily = "{family}"\n'
    hw = setup(text, env=HUB, cwd="/home/alice/hw")
    answers = hw.answers("q")
    answers.fill(hw.solution("q"))
    assert answers.raw() == {k: to_raw(v) for k, v in own_key("alice", "q", text).items()}
    assert hw.grade("q") == question_points(hw.question("q"))
    assert capsys.readouterr().err == ""


def test_statement_shows_the_students_own_numbers():
    hw = setup(ASSIGNMENT, env=HUB, cwd="/home/alice/hw1")
    other = setup(ASSIGNMENT, "bob", env={}, cwd="/laptop")
    assert hw.show("q1").markdown != other.show("q1").markdown
    assert hw.show("q1")._repr_markdown_().startswith("**Gradient descent")


def test_garbage_answers_are_graded_without_stderr(capsys):
    hw = setup(ASSIGNMENT, env=HUB, cwd="/home/alice/hw1")
    q1 = hw.answers("q1")
    q1.pred_1 = "1/0"
    q1.E_1 = float("nan")
    q1.grad_1 = [1, 2]
    q1.w_1 = True
    q1.dE_dw_expr = "x*(w*x - t"
    q1.regime = "sideways"
    q1.eta_max = 1e308 * 10
    score = hw.grade("q1")
    captured = capsys.readouterr()
    assert score == 0.0 and captured.err == ""
    assert captured.out.count("unreadable") >= 5


def test_a_typo_is_reported_and_the_next_answers_still_count(capsys):
    hw = setup(ASSIGNMENT, env=HUB, cwd="/home/alice/hw1")
    key = own_key("alice", "q1")
    q1 = hw.answers("q1")
    q1.pred1 = key["pred_1"]
    q1.E_1 = key["E_1"]
    assert "no answer 'pred1'" in capsys.readouterr().out
    assert key["E_1"] == q1.E_1
    with pytest.raises(AttributeError, match="pred_1"):
        q1.pred_1  # noqa: B018 - not set: the error lists the answers
    assert hw.grade("q1") == 1.0


def test_an_answer_cell_that_never_ran_counts_as_missing(capsys):
    hw = setup(ASSIGNMENT, env=HUB, cwd="/home/alice/hw1")
    assert hw.grade("q2") == 0.0
    assert "did not run" in capsys.readouterr().out


def test_no_id_while_working_asks_for_one():
    hw = setup(ASSIGNMENT, env={}, cwd="/laptop/hw1")
    assert "STUDENT_ID" in hw.show("q1").markdown
    assert hw.grade("q1") == 0.0
    with pytest.raises(KeyRefused):
        hw.solution("q1")


def test_hub_wins_over_a_different_student_id_and_says_so(capsys):
    hw = setup(ASSIGNMENT, "carol", env=HUB, cwd="/home/alice/hw1")
    hw.answers("q1").fill(own_key("alice", "q1"))
    assert hw.grade("q1") == 12.0
    assert "STUDENT_ID is 'carol'" in capsys.readouterr().out


def test_autograde_grades_nbgraders_student():
    """The grader's hub account and the key function are both out of play while autograding."""
    hw = setup(ASSIGNMENT, env=AUTOGRADE, cwd="/course/autograded/bob/hw1")
    assert hw.student == "bob"
    with pytest.raises(KeyRefused):
        hw.solution("q1")
    hw.answers("q1").fill(own_key("bob", "q1"))
    assert hw.grade("q1") == 12.0


def test_pasted_answers_are_graded_on_the_students_own_key_and_flagged(capsys):
    """eve's notebook holds alice's STUDENT_ID and alice's answers; nbgrader grades it as eve."""
    hw = setup(ASSIGNMENT, "alice", env=AUTOGRADE, cwd="/course/autograded/eve/hw1")
    for q in ("q1", "q2"):
        pasted = own_key("alice", q)
        hw.answers(q).fill(pasted)
        score = hw.grade(q)
        out = capsys.readouterr().out
        assert score == pytest.approx(core_score("eve", q, pasted))
        assert score < core_score("alice", q, pasted) == question_points(hw.question(q))
        assert "FLAGGED FOR THE TEACHER" in out and "'alice'" in out and "'eve'" in out
        assert f"would score {question_points(hw.question(q)):g}/" in out


def test_unknown_nbgrader_id_is_not_graded(capsys):
    hw = setup(ASSIGNMENT, "alice", env=AUTOGRADE, cwd="/q1")
    hw.answers("q1").fill(own_key("alice", "q1"))
    with pytest.raises(GradingFlagged, match="cannot tell nbgrader's student id"):
        hw.grade("q1")
    assert "FLAGGED FOR THE TEACHER" in capsys.readouterr().out


def test_hidden_check_says_readable_not_right(capsys):
    hw = setup(ASSIGNMENT, env=HUB, cwd="/home/alice/hw1")
    key = own_key("alice", "q2")
    hw.answers("q2").fill(key)
    hw.check_format("q2")
    right = capsys.readouterr().out
    hw.answers("q2").fill({k: (v + 0.3 if isinstance(v, float) else "o1") for k, v in key.items()})
    hw.check_format("q2")
    wrong = capsys.readouterr().out
    assert right == wrong and "correct" not in right


@pytest.mark.parametrize(("score", "points", "expected"), [
    (0.1 + 0.2, 0.3, 0.3), (12.000000001, 12, 12.0), (-0.0, 3, 0.0), (-1, 3, 0.0), (math.nan, 3, 0.0), (2.5, 3, 2.5),
])
def test_cell_score_stays_within_the_cells_points(score, points, expected):
    assert cell_score(score, points) == expected


def test_unknown_question_names_the_known_ones():
    hw = setup(ASSIGNMENT, env=HUB, cwd="/home/alice/hw1")
    with pytest.raises(KeyError, match="q1, q2"):
        hw.grade("q3")
