"""The kernel runtime, in-process: the right numbers without the salt, no key, answers recorded at autograde."""

from __future__ import annotations

import math

import pytest

from grader.core.grading import expectation, grade
from grader.core.keys import answer_key
from grader.core.variants import generate
from grader.course.assignment import parse_assignment
from grader.families import FAMILIES
from grader.nbgrader import runtime
from grader.nbgrader.layout import question_points
from grader.nbgrader.notebook import public_text, student_numbers
from grader.nbgrader.record import ANSWERS_MIME, decode
from grader.nbgrader.report import cell_score
from grader.nbgrader.runtime import PracticeHomework, StudentUnknown, setup, to_raw

ASSIGNMENT = """
id = "hw1"
salt = "spring-2027-x9"
[[questions]]
id = "q1"
family = "gd_linear"
[[questions]]
id = "q2"
family = "backprop_222"
answers = ["o1", "E", "delta_o1", "delta_o1_expr"]
"""
CLASS = ("alice", "bob", "carol")
HUB = {"JUPYTERHUB_USER": "alice"}
AUTOGRADE = {"NBGRADER_EXECUTION": "autograde", "JUPYTERHUB_USER": "teacher"}


def graded(student_id: object = None, env: dict | None = None, text: str = ASSIGNMENT):
    """What a graded notebook's identity cell runs: the file without its salt, and the class's numbers."""
    numbers = student_numbers(parse_assignment(text), CLASS)
    return setup(public_text(text), student_id, numbers=numbers, env={} if env is None else env)


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
def test_a_graded_notebook_checks_the_salted_key_without_the_salt(family, capsys):
    text = f'id = "hw"\nsalt = "tk4-91zq"\n[[questions]]\nid = "q"\nfamily = "{family}"\n'
    hw = graded(env=HUB, text=text)
    assert hw.assignment.salt == "" and "tk4-91zq" not in repr(vars(hw))
    hw.answers("q").fill(own_key("alice", "q", text))
    assert hw.grade("q") == question_points(hw.question("q"))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_only_a_practice_notebook_hands_out_the_key(family):
    text = f'id = "hw"\nsalt = "tk4-91zq"\n[[questions]]\nid = "q"\nfamily = "{family}"\n'
    practice = setup(text, env=HUB)
    assert isinstance(practice, PracticeHomework)
    assert practice.solution("q") == own_key("alice", "q", text)
    assert not hasattr(graded(env=HUB, text=text), "solution")


def test_statement_shows_the_students_own_numbers_and_only_the_asked_answers():
    a = parse_assignment(ASSIGNMENT)
    for q in a.questions:
        v = generate(q.family, [a.key("alice", q)])[0]
        full = q.family.statement(v.params, "en")
        shown = graded(env=HUB).show(q.id).markdown
        preamble = full.split("\n1. ")[0]
        assert shown.startswith(preamble)
    shown = graded(env=HUB).show("q2").markdown
    assert "`delta_o1`" in shown and "`o1`" in shown and "dE_dw1" not in shown and "w8_new" not in shown
    assert graded("bob").show("q1").markdown != graded(env=HUB).show("q1").markdown


def test_garbage_answers_are_graded_without_stderr(capsys):
    hw = graded(env=HUB)
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
    hw = graded(env=HUB)
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
    hw = graded(env=HUB)
    assert hw.grade("q2") == 0.0
    assert "did not run" in capsys.readouterr().out


def test_no_id_while_working_asks_for_one_in_the_test_cell():
    hw = graded()
    assert "STUDENT_ID" in hw.show("q1").markdown
    hw.answers("q1")
    with pytest.raises(StudentUnknown, match="set STUDENT_ID"):
        hw.grade("q1")


def test_an_id_off_the_list_is_told_so_and_shown_no_numbers():
    hw = graded("mallory")
    assert "'mallory' is not on this course's student list" in hw.show("q1").markdown
    with pytest.raises(StudentUnknown, match="not on this course's student list"):
        hw.check_format("q2")


def test_hub_wins_over_a_different_student_id_and_says_so(capsys):
    hw = graded("carol", env=HUB)
    hw.answers("q1").fill(own_key("alice", "q1"))
    assert hw.grade("q1") == 12.0
    assert "STUDENT_ID is 'carol'" in capsys.readouterr().out


def test_autograde_records_the_raw_answers_and_scores_nothing(monkeypatch):
    shown = []
    monkeypatch.setattr(runtime, "_display", lambda text, data: shown.append(data))
    hw = graded("bob", env=AUTOGRADE)
    given = {**own_key("bob", "q1"), "E_1": float("nan"), "regime": "sideways"}
    hw.answers("q1").fill(given)
    assert hw.grade("q1") == 0.0
    assert hw.check_format("q1") is None
    ids = tuple(given)
    recorded = decode(shown[-1][ANSWERS_MIME], "q1", ids)
    assert recorded.keys() == given.keys() and math.isnan(recorded.pop("E_1"))
    assert recorded == {k: to_raw(v) for k, v in given.items() if k != "E_1"}


def test_hidden_check_says_readable_not_right(capsys):
    hw = graded(env=HUB)
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
    hw = graded(env=HUB)
    with pytest.raises(KeyError, match="q1, q2"):
        hw.grade("q3")
