"""Grading recorded answers outside the kernel: nothing but the raw answers is taken from the notebook."""

from __future__ import annotations

import math

import pytest

from grader.core.grading import classmates, expectation, grade
from grader.core.keys import answer_key
from grader.core.variants import generate
from grader.course.assignment import parse_assignment
from grader.nbgrader.course import Graded, shared_flags
from grader.nbgrader.layout import question_points
from grader.nbgrader.record import ANSWERS_MIME, RecordError, decode, encode
from grader.nbgrader.regrade import regrade, typed_student_id, written_answers

ASSIGNMENT = parse_assignment("""
id = "hw1"
salt = "regrade-salt-77"
[[questions]]
id = "q1"
family = "gd_linear"
[[questions]]
id = "q2"
family = "backprop_222"
answers = ["o1", "delta_o1_expr"]
""")


def keys(student, question):
    return expectation(generate(question.family, [ASSIGNMENT.key(student, question)])[0])


def key(student: str, qid: str) -> dict:
    q = ASSIGNMENT.question(qid)
    k = answer_key(generate(q.family, [ASSIGNMENT.key(student, q)])[0])
    return {a: e.value for a, e in k.items() if q.settings.asks(q.family.answer(a))}


def graded_cell(qid: str, *records, score: object = None) -> dict:
    outputs = [{"output_type": "display_data", "data": {"text/plain": "recorded", ANSWERS_MIME: r}, "metadata": {}}
               for r in records]
    if score is not None:
        outputs.append({"output_type": "execute_result", "data": {"text/plain": repr(score)}, "metadata": {}})
    return {"cell_type": "code", "id": f"{qid}_test", "source": f"hw.grade({qid!r})", "outputs": outputs,
            "metadata": {"nbgrader": {"grade": True, "grade_id": f"{qid}_test", "points": 99}}}


def answer_cell(qid: str, source: str) -> dict:
    return {"cell_type": "code", "id": f"{qid}_answers", "source": source, "outputs": [],
            "metadata": {"nbgrader": {"solution": True, "grade_id": f"{qid}_answers"}}}


def notebook(*cells, typed: str | None = None, assignment: str = "hw1") -> dict:
    id_cell = {"cell_type": "code", "id": "student_id", "metadata": {}, "outputs": [],
               "source": f"STUDENT_ID = {typed!r}" if typed is not None else 'STUDENT_ID = ""'}
    return {"cells": [id_cell, *cells], "metadata": {"gdbp_grader": {"assignment": assignment}}}


def core(student: str, qid: str, answers: dict) -> float:
    q = ASSIGNMENT.question(qid)
    return grade(keys(student, q), answers, q.settings).score


def written(qid: str, answers: dict) -> dict:
    """The answer cell of a student who typed these answers."""
    return answer_cell(qid, "\n".join(f"{qid}.{k} = {v!r}" for k, v in answers.items()))


def test_the_recorded_answers_are_graded_against_the_students_own_key():
    nb = notebook(written("q1", key("bob", "q1")), graded_cell("q1", encode("q1", key("bob", "q1")), score=0.0),
                  written("q2", {"o1": 0.5}), graded_cell("q2", encode("q2", {"o1": 0.5})), typed="bob")
    result = regrade(ASSIGNMENT, "bob", nb, keys)
    assert [q.score for q in result.questions] == [question_points(ASSIGNMENT.question("q1")),
                                                   core("bob", "q2", {"o1": 0.5})]
    assert result.all_flags == ()


def test_what_the_kernel_scored_is_ignored():
    """A test cell that shows full marks but recorded wrong answers scores what the answers earn."""
    forged = notebook(graded_cell("q1", encode("q1", {"pred_1": 123.0}), score=14.0), graded_cell("q2", score=3.0))
    result = regrade(ASSIGNMENT, "bob", forged, keys)
    assert result.questions[0].score == core("bob", "q1", {"pred_1": 123.0}) == 0
    assert result.questions[1].score == 0 and "no answers to question q2" in result.questions[1].flags[0]


def test_a_pasted_notebook_is_graded_as_the_submitter_and_flagged_with_the_comparison():
    pasted = key("alice", "q1")
    result = regrade(ASSIGNMENT, "eve", notebook(graded_cell("q1", encode("q1", pasted)), typed="alice"), keys)
    assert result.questions[0].score == pytest.approx(core("eve", "q1", pasted))
    assert result.questions[0].score < question_points(ASSIGNMENT.question("q1"))
    assert any("'alice'" in f and "'eve'" in f for f in result.flags)
    full = question_points(ASSIGNMENT.question("q1"))
    assert any(f"would score {full:g}/{full:g}" in f for f in result.questions[0].flags)


@pytest.mark.parametrize("record", [
    {"question": "q1", "answers": {"pred_1": ["number", "zero"]}},
    {"question": "q1", "answers": {"pred_1": ["code", "__import__('os')"]}},
    {"question": "q1", "answers": {"pred_1": 0.5}},
    {"question": "q1", "answers": "all right"},
    {"question": "q1", "answers": {f"a{i}": ["text", "x"] for i in range(1000)}},
])
def test_a_record_that_cannot_be_read_scores_zero_and_is_flagged(record):
    result = regrade(ASSIGNMENT, "bob", notebook(graded_cell("q1", record)), keys)
    assert result.questions[0].score == 0
    assert "cannot be read" in result.questions[0].flags[0]


def test_a_record_of_another_question_or_an_unknown_answer_counts_for_nothing():
    other = encode("q2", {"o1": key("bob", "q2")["o1"]})
    result = regrade(ASSIGNMENT, "bob", notebook(graded_cell("q1", other)), keys)
    assert result.questions[0].score == 0 and result.questions[0].flags
    extra = {"question": "q1", "answers": {"pred_1": ["number", repr(key("bob", "q1")["pred_1"])],
                                           "bonus": ["number", "1e9"]}}
    graded = regrade(ASSIGNMENT, "bob", notebook(graded_cell("q1", extra)), keys).questions[0]
    assert graded.score == core("bob", "q1", {"pred_1": key("bob", "q1")["pred_1"]}) == 1


def test_answers_computed_while_grading_are_graded_and_flagged():
    """A value read at autograde time (from the instructor's files, say) is not what the notebook wrote."""
    right = key("bob", "q1")
    source = ("q1 = hw.answers('q1')\nq1.pred_1 = 3/4\nq1.E_1 = -(1 - 2) ** 2 * 0.5\nq1.regime = 'monotone'\n"
              "q1['w_1'] = 0.25\nq1.grad_1 = secret_file()")
    recorded = {"pred_1": 0.75, "E_1": -(1 - 2) ** 2 * 0.5, "regime": "monotone", "w_1": 0.25,
                "grad_1": right["grad_1"]}
    result = regrade(ASSIGNMENT, "bob", notebook(answer_cell("q1", source), graded_cell("q1", encode("q1", recorded))),
                     keys)
    assert result.questions[0].score == core("bob", "q1", recorded)
    assert len(result.questions[0].flags) == 1 and "(grad_1)" in result.questions[0].flags[0]
    honest = regrade(ASSIGNMENT, "bob", notebook(answer_cell("q1", source.rsplit("\n", 1)[0]),
                                                 graded_cell("q1", encode("q1", {**recorded, "grad_1": None}))), keys)
    assert honest.questions[0].flags == ()


@pytest.mark.parametrize("source", ["q1.w_1 = 9.0 ** 9 ** 9 ** 9", "q1.w_1 = 1 / 0", "q1.w_1 = " + "-" * 300 + "1"])
def test_arithmetic_that_fails_is_not_a_written_answer(source):
    assert written_answers([{"cell_type": "code", "source": source}], "q1") == {}


def test_the_last_record_of_a_test_cell_counts():
    first, last = encode("q1", key("bob", "q1")), encode("q1", {})
    assert regrade(ASSIGNMENT, "bob", notebook(graded_cell("q1", first, last)), keys).questions[0].score == 0


def test_another_assignments_notebook_and_an_unreadable_one_are_flagged():
    result = regrade(ASSIGNMENT, "bob", notebook(graded_cell("q1", encode("q1", {})), assignment="hw0"), keys)
    assert "'hw0', not 'hw1'" in result.flags[0]
    broken = regrade(ASSIGNMENT, "bob", None, keys, unreadable="cannot read")
    assert broken.flags == ("cannot read",) and broken.score == 0
    assert regrade(ASSIGNMENT, "bob", {"cells": "nope"}, keys).flags


@pytest.mark.parametrize(("source", "typed"), [
    ('STUDENT_ID = "alice"', "alice"),
    ('STUDENT_ID = " Zoe\\u0308 "', "Zo\u00eb"),
    ('STUDENT_ID = ""', None),
    ('STUDENT_ID = "a"\nSTUDENT_ID = "b"', "b"),
    ("STUDENT_ID = input()", None),
    ("STUDENT_ID = (", None),
])
def test_the_typed_id_is_read_without_running_anything(source, typed):
    assert typed_student_id([{"cell_type": "code", "id": "student_id", "source": source}]) == typed


@pytest.mark.parametrize("value", [0.1 + 0.2, -0.0, 1e-308, math.inf, "x*(w*x - t)", "−0.5", "δ_o1"])
def test_records_round_trip_exactly(value):
    back = decode(encode("q", {"a": value}), "q", ("a",))["a"]
    assert back == value and type(back) is type(value)


def test_a_nan_round_trips_and_a_blank_is_not_recorded():
    assert math.isnan(decode(encode("q", {"a": math.nan}), "q", ("a",))["a"])
    assert decode(encode("q", {"a": None}), "q", ("a",)) == {}
    with pytest.raises(RecordError):
        decode(encode("q", {}), "other", ())


def class_keys(*students: str) -> dict:
    """Each question's keys of a class of ``students``, as ``grader nbgrader grade`` gives them."""
    return {q.id: classmates(students, [keys(s, q) for s in students]) for q in ASSIGNMENT.questions}


def test_answers_copied_from_a_classmates_key_are_flagged_and_carry_nothing_forward():
    others = class_keys("alice", "bob", "mallory")
    copied = key("alice", "q1")
    nb = notebook(written("q1", copied), graded_cell("q1", encode("q1", copied)), typed="mallory")
    result = regrade(ASSIGNMENT, "mallory", nb, keys, others=others)
    flags = result.questions[0].flags
    assert len(flags) == 1 and "'alice'" in flags[0] and "q1" in flags[0], flags
    assert result.questions[0].score <= regrade(ASSIGNMENT, "mallory", nb, keys).questions[0].score
    own = key("mallory", "q1")
    honest = notebook(written("q1", own), graded_cell("q1", encode("q1", own)), typed="mallory")
    assert regrade(ASSIGNMENT, "mallory", honest, keys, others=others).questions[0].flags == ()


WRONG = {"pred_1": 1.23457, "E_1": 2.34568, "grad_1": 3.45679, "w_1": 4.56781}  # no key is any of these


def graded_notebook(student: str, answers: dict) -> Graded:
    nb = notebook(written("q1", answers), graded_cell("q1", encode("q1", answers)), typed=student)
    return Graded(student, "hw1", regrade(ASSIGNMENT, student, nb, keys))


def test_notebooks_sharing_many_wrong_values_are_flagged_with_the_evidence():
    """alice and bob share four wrong six-digit numbers (enough); carol shares three of them (not enough)."""
    three = dict(list(WRONG.items())[:3])
    graded = [graded_notebook("alice", WRONG), graded_notebook("bob", WRONG), graded_notebook("carol", three)]
    assert all(g.grade.flags == () for g in graded)
    flagged = shared_flags(ASSIGNMENT, graded, class_keys("alice", "bob", "carol"))
    assert "'bob'" not in " ".join(flagged[0].flags) and "bob" in flagged[0].flags[0] and "4" in flagged[0].flags[0]
    assert "alice" in flagged[1].flags[0]
    assert flagged[2].flags == ()
    assert [g.score for g in flagged] == [g.grade.score for g in graded]  # a flag for the teacher, not a penalty
