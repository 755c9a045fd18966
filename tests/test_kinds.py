"""The answer-kind seam: a kind registered here, in the test (not shipped), flows through the key,
grading and the answer sheet without any other module knowing its name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from grader.core.family import Answer
from grader.core.grading import AnswerResult, expectation, grade
from grader.core.keys import answer_key
from grader.core.kinds import KINDS, AnswerKind, kind_of
from grader.core.variants import VariantKey, canonical, generate
from grader.course.assignment import parse_assignment
from grader.course.export.base import ExportError
from grader.course.export.moodle_xml import field
from grader.course.question_kinds import question_kind
from grader.course.sheets import answer_sheet, asked_ids, parse_sheet
from grader.families import get_family

SIGN = Answer("sign_w_1", "sign", 1, "epoch 1")  # the sign of w_1, "+" or "-"


def _sign(value: float) -> str:
    return "+" if value > 0 else "-"


def _judge(expected, answer, raw, work, settings, lang) -> AnswerResult:
    given = "" if raw is None else str(raw).strip()
    points = settings.points_for(answer)
    if given not in ("+", "-"):
        return AnswerResult(answer.id, "invalid", 0.0, points, "a sign: + or -", given=given)
    right = given == _sign(expected.values[answer.id.removeprefix("sign_")])
    status = "correct" if right else "incorrect"
    return AnswerResult(answer.id, status, points if right else 0.0, points, "", given=given)


def _key(answer, derivation, params, numbers, choices):
    value, _exact = numbers[answer.id.removeprefix("sign_")]  # each quantity as its float and exact text
    return _sign(value), _sign(value)


TOY = AnswerKind("sign", _judge, _key, lambda expected, answer: _sign(expected.values[answer.id.removeprefix("sign_")]))


@pytest.fixture
def toy(monkeypatch):
    """gd_linear with one answer of the toy kind, the kind registered for this test only."""
    monkeypatch.setitem(KINDS, "sign", TOY)
    family = get_family("gd_linear")
    return replace(family, answers=(*family.answers, SIGN))


def independent_w_1(numbers) -> float:
    """One step of gradient descent on E = (w x - t)^2 / 2 from the statement's numbers, by hand."""
    x, t, w0, eta = (float(numbers[k]) for k in ("x", "t", "w0", "eta"))
    return w0 - eta * x * (w0 * x - t)


def test_the_toy_kind_gives_the_key_and_is_graded(toy):
    variants = [canonical(toy), *generate(toy, [VariantKey("kinds-test", s, "q1") for s in map(str, range(40))])]
    signs = set()
    for v in variants:
        right = _sign(independent_w_1(v.numbers))
        signs.add(right)
        assert answer_key(v)["sign_w_1"].value == right
        wrong = "-" if right == "+" else "+"
        result = grade(expectation(v), {"sign_w_1": right, "w_1": str(independent_w_1(v.numbers))})
        assert (result.answer("sign_w_1").status, result.answer("w_1").status) == ("correct", "correct")
        assert grade(expectation(v), {"sign_w_1": wrong}).answer("sign_w_1").status == "incorrect"
        assert grade(expectation(v), {"sign_w_1": "up"}).answer("sign_w_1").status == "invalid"
    assert signs == {"+", "-"}  # both verdicts were exercised either way


def test_the_toy_kind_is_on_the_answer_sheet_and_in_the_instructors_key(toy):
    hw = parse_assignment('id = "hw"\ntitle = "T"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\n')
    hw = replace(hw, questions=(replace(hw.questions[0], family=toy),))
    text = answer_sheet(hw, "s1")
    assert "q1.sign_w_1 = " in text.splitlines()
    sheet = parse_sheet(text.replace("q1.sign_w_1 = ", "q1.sign_w_1 = -"), asked_ids(hw))
    assert not sheet.problems and sheet.answers["q1"] == {"sign_w_1": "-"}
    v = generate(toy, [hw.key("s1", hw.questions[0])])[0]
    right = _sign(independent_w_1(v.numbers))
    assert grade(expectation(v), {"sign_w_1": right}).answer("sign_w_1").status == "correct"
    entries = {e[0]: e for e in question_kind(hw.questions[0]).key_entries(hw.questions[0], expectation(v))}
    assert entries["sign_w_1"][1:3] == ("sign", right)


def test_an_unregistered_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="answer 'sign_w_1' has the kind 'sign', which is not registered"):
        kind_of(SIGN)


def test_moodle_refuses_a_kind_it_has_no_field_for_by_name(toy):
    hw = parse_assignment('id = "hw"\ntitle = "T"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\n')
    question = replace(hw.questions[0], family=toy)
    expected = expectation(generate(toy, [hw.key("s1", question)])[0])
    with pytest.raises(ExportError, match="question q1: Moodle has no field for sign_w_1, an answer of the kind sign"):
        field("sign", 1, question, expected, "sign_w_1", "en")
