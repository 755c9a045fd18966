"""Formula verdicts remembered within a run are the verdicts computed afresh, variant by variant."""

from __future__ import annotations

import pytest

from grader.core import grading
from grader.core.grading import expectation, grade
from grader.core.keys import answer_key
from grader.core.variants import VariantKey, generate
from grader.families import FAMILIES


def _fresh(expected, answers):
    grading._VERDICTS.clear()
    grading._parsed.cache_clear()
    return grade(expected, answers).to_json()


@pytest.mark.parametrize("name", ["chain_rule", "backprop_222", "gd_linear"])
def test_remembered_verdicts_equal_fresh_ones(name):
    family = FAMILIES[name]
    variants = generate(family, [VariantKey("memo", f"s{i}") for i in range(12)])
    symbolic = [a.id for a in family.answers if a.kind == "symbolic"]
    keys = [answer_key(v) for v in variants]
    texts = {a: [keys[0][a].value, keys[1][a].value, f"-({keys[0][a].value})", "2*", "x + 1"] for a in symbolic}
    expected = [expectation(v) for v in variants]
    for n in range(len(texts[symbolic[0]])):
        answers = {a: texts[a][n] for a in symbolic}
        remembered = [grade(e, answers).to_json() for e in expected]  # the memo fills on the first students
        assert remembered == [_fresh(e, answers) for e in expected]


def test_a_formula_right_for_one_variant_is_not_remembered_as_right_for_another():
    family = FAMILIES["chain_rule"]  # its formula keeps a and b as the variant's numbers
    first, second = generate(family, [VariantKey("memo", "a"), VariantKey("memo", "b")])
    assert first.numbers != second.numbers
    text = answer_key(first)["dh_dx_expr"].value
    assert grade(expectation(first), {"dh_dx_expr": text}).answer("dh_dx_expr").status == "correct"
    assert grade(expectation(second), {"dh_dx_expr": text}).answer("dh_dx_expr").status != "correct"
    assert grade(expectation(first), {"dh_dx_expr": text}).answer("dh_dx_expr").status == "correct"


def test_a_refused_text_is_refused_again_with_the_same_message():
    family = FAMILIES["gd_linear"]
    v = generate(family, [VariantKey("memo", "c")])[0]
    first = grade(expectation(v), {"dE_dw_expr": "x*(w*x - t"}, lang="zh").answer("dE_dw_expr")
    again = grade(expectation(v), {"dE_dw_expr": "x*(w*x - t"}, lang="en").answer("dE_dw_expr")
    assert first.status == again.status == "invalid"
    assert first.feedback != again.feedback  # each in its own language
    assert again.feedback == _fresh(expectation(v), {"dE_dw_expr": "x*(w*x - t"})["answers"]["dE_dw_expr"]["feedback"]


def test_a_text_too_long_to_parse_is_refused_without_being_remembered():
    v = generate(FAMILIES["gd_linear"], [VariantKey("memo", "d")])[0]
    grading._parsed.cache_clear()
    text = "x*" * 400 + "x"
    result = grade(expectation(v), {"dE_dw_expr": text}).answer("dE_dw_expr")
    assert result.status == "invalid"
    assert grading._parsed.cache_info().currsize == 0
