"""The grader on the families' own answers: keys, mistakes, carried-forward error, bad input."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.core.compare import Tolerance
from grader.core.evaluate import update_baseline
from grader.core.grading import Settings, expectation, expectations, grade
from grader.core.keys import answer_key
from grader.core.variants import canonical
from grader.families import FAMILIES
from grader.text.messages import LANGUAGES, MESSAGES, MISTAKES
from tests.conftest import roster_variants
from tests.equivalence_cases import CASES
from tests.test_canonical import reference_222


def key_answers(v) -> dict[str, object]:
    """The key as a student would type it: numbers as text, formulas as text, options."""
    return {k: (repr(e.value) if e.kind == "numeric" else e.value) for k, e in answer_key(v).items()}


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_the_key_scores_full_marks_on_canonical_and_random_variants(family_name):
    family = FAMILIES[family_name]
    variants = [canonical(family), *roster_variants(family_name, 30)]
    for v, expected in zip(variants, expectations(family, variants), strict=True):
        result = grade(expected, key_answers(v))
        wrong = [(a.id, a.feedback) for a in result.answers if a.status != "correct"]
        assert not wrong and result.score == result.max, wrong


@pytest.mark.parametrize("family_name, answer_id, text, equivalent", CASES,
                         ids=[f"{c[0]}:{c[1]}:{i}" for i, c in enumerate(CASES)])
def test_symbolic_equivalence_table(family_name, answer_id, text, equivalent):
    v = canonical(FAMILIES[family_name])
    result = grade(expectation(v), {answer_id: text}).answer(answer_id)
    assert result.status == ("correct" if equivalent else "incorrect"), result.feedback


def test_the_table_is_large_enough():
    assert len(CASES) >= 100
    assert sum(1 for c in CASES if c[3]) >= 40 and sum(1 for c in CASES if not c[3]) >= 40


def test_a_symbol_that_is_not_part_of_the_problem_is_named():
    v = canonical(FAMILIES["gd_linear"])
    result = grade(expectation(v), {"dE_dw_expr": "x*(w*x - y)"}).answer("dE_dw_expr")
    assert result.status == "invalid"
    assert "y" in result.feedback and "x" in result.feedback and "t" in result.feedback


# --- numbers as students type them -------------------------------------------------------

@pytest.mark.parametrize("text", ["0.75", "3/4", ".75", "0,75", "75e-2", "7.5×10^-1", "7.5*10^-1",
                                  " 0.75 ", "0.7500", "1 - 1/4", "0.751"])
def test_ways_of_typing_w2_of_seed_000(text):
    v = canonical(FAMILIES["gd_linear"])
    assert grade(expectation(v), {"w_2": text}).answer("w_2").status == "correct"


@pytest.mark.parametrize("text", ["-0.5", "−0.5", "-1/2", "-.5", "–0.5"])
def test_negative_numbers_with_any_minus_sign(text):
    v = canonical(FAMILIES["gd_linear"])
    assert grade(expectation(v), {"grad_2": text}).answer("grad_2").status == "correct"


@pytest.mark.parametrize("raw, status", [
    (None, "missing"), ("", "missing"), ("   ", "missing"), ("nan", "invalid"),
    ("inf", "invalid"), (float("nan"), "invalid"), (float("inf"), "invalid"),
    ("x + 1", "invalid"), ("0.5.5", "invalid"), ("abc", "invalid"), (True, "invalid"),
    ("9**9**9**9", "invalid"), (0.75, "correct"), (3, "incorrect"),
])
def test_numeric_edge_cases_are_reported_not_crashed_on(raw, status):
    v = canonical(FAMILIES["gd_linear"])
    result = grade(expectation(v), {"w_2": raw}).answer("w_2")
    assert result.status == status
    assert result.feedback


@pytest.mark.parametrize("text, status", [
    ("monotone", "correct"), ("Monotone", "correct"), (" monotone. ", "correct"),
    ("oscillating", "incorrect"), ("one step", "incorrect"), ("sideways", "invalid"),
])
def test_choices(text, status):
    v = canonical(FAMILIES["gd_linear"])
    assert grade(expectation(v), {"regime": text}).answer("regime").status == status


@pytest.mark.parametrize("tolerance, text, status", [
    (Tolerance("relative", 0.01), "0.7585", "correct"),
    (Tolerance("relative", 0.001), "0.7589", "incorrect"),
    (Tolerance("absolute", 0.01), "0.759", "correct"),
    (Tolerance("absolute", 0.001), "0.759", "incorrect"),
    (Tolerance("sigfigs", 2), "0.75", "correct"),
    (Tolerance("sigfigs", 3), "0.751", "correct"),
    (Tolerance("sigfigs", 3), "0.752", "incorrect"),
])
def test_per_answer_tolerance_overrides(tolerance, text, status):
    v = canonical(FAMILIES["backprop_222"])  # o1 = 0.751365...
    result = grade(expectation(v), {"o1": text}, Settings(tolerances={"o1": tolerance}))
    assert result.answer("o1").status == status


# --- named mistakes ----------------------------------------------------------------------

def _canonical_222():
    family = FAMILIES["backprop_222"]
    with mpmath.workdps(30):
        return reference_222({k: mpmath.mpf(v) for k, v in family.canonical.items()})


def _hand_mistakes():
    r = _canonical_222()
    d1_new_w = (r["delta_o1"] * r["w5_new"] + r["delta_o2"] * r["w7_new"]) * r["h1"] * (1 - r["h1"])
    return [
        ("backprop_222", "delta_o1", r["o1"] - r["t1"], "activation_derivative_dropped"),
        ("backprop_222", "delta_o1", -r["delta_o1"], "sign_flipped"),
        ("backprop_222", "dE_dw5", 2 * r["dE_dw5"], "half_forgotten"),
        ("backprop_222", "w5_new", r["w5"] + r["eta"] * r["dE_dw5"], "step_added"),
        ("backprop_222", "delta_h1", d1_new_w, "updated_weights_in_deltas"),
        ("backprop_222", "E", (r["o1"] - r["t1"]) ** 2 + (r["o2"] - r["t2"]) ** 2, "half_forgotten"),
        # every step kept to two figures: h1 = 0.59, h2 = 0.60, o1 = sigma(1.1) = 0.75,
        # delta_o1 = (0.75 - 0.01)*0.75*0.25 = 0.13875 -> 0.14 (the key is 0.1385)
        ("backprop_222", "delta_o1", mpmath.mpf("0.14"), "rounded_too_early"),
        ("gd_linear", "w_1", mpmath.mpf("-0.5"), "step_added"),
        ("gd_linear", "w_2", mpmath.mpf("0.5"), "off_by_one"),
        ("gd_linear", "grad_1", mpmath.mpf("1"), "sign_flipped"),
        ("gd_linear", "E_1", mpmath.mpf("1"), "half_forgotten"),
    ]


@pytest.mark.parametrize("family_name, answer_id, value, mistake", _hand_mistakes(),
                         ids=lambda x: str(x)[:20])
def test_mistakes_on_the_canonical_variants_computed_by_hand(family_name, answer_id, value, mistake):
    v = canonical(FAMILIES[family_name])
    result = grade(expectation(v), {answer_id: mpmath.nstr(value, 12)}).answer(answer_id)
    assert result.status == "incorrect"
    assert result.mistake == mistake, result.feedback


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_every_derived_mistake_is_recognised_on_random_variants(family_name):
    """A wrong value far from the key and from every mistake of another name is named as itself."""
    family = FAMILIES[family_name]
    variants = [canonical(family), *roster_variants(family_name, 25)]
    recognised = set()
    for expected in expectations(family, variants):
        for answer_id in expected.batch.wrong:
            baseline = update_baseline(family.derivation(), answer_id)
            origin = expected.values[baseline] if baseline else 0.0

            def far(a, b, origin=origin):  # updates are told apart by their steps
                return not math.isclose(a - origin, b - origin, rel_tol=0.03, abs_tol=1e-5)

            mistakes = expected.mistakes(answer_id)
            for mistake, value in mistakes:
                others = [expected.values[answer_id], *(v for m, v in mistakes if m.name != mistake.name)]
                if all(far(value, other) for other in others) and far(value, origin):
                    result = grade(expected, {answer_id: repr(value)}).answer(answer_id)
                    assert (result.status, result.mistake) == ("incorrect", mistake.name), (answer_id, mistake)
                    recognised.add(mistake.name)
    applicable = {"sign_flipped", "rounded_too_early"}
    assert applicable <= recognised, f"{family_name}: recognised only {sorted(recognised)}"


def test_every_kind_of_mistake_is_recognised_somewhere():
    names = set()
    for name, family in FAMILIES.items():
        for expected in expectations(family, [canonical(family), *roster_variants(name, 10)]):
            for answer_id in expected.batch.wrong:
                for mistake, value in expected.mistakes(answer_id):
                    result = grade(expected, {answer_id: repr(value)}).answer(answer_id)
                    if result.mistake == mistake.name:
                        names.add(mistake.name)
    assert names == set(MISTAKES)


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_a_correct_answer_is_never_reported_as_a_mistake(family_name):
    for v in [canonical(FAMILIES[family_name]), *roster_variants(family_name, 25)]:
        result = grade(expectation(v), key_answers(v))
        assert all(a.mistake is None for a in result.answers)


def test_symbolic_mistakes_are_named():
    v = canonical(FAMILIES["backprop_222"])
    result = grade(expectation(v), {"delta_o1_expr": "o1 - t1", "dE_dw5_expr": "-delta_o1*h1"})
    assert result.answer("delta_o1_expr").mistake == "activation_derivative_dropped"
    assert result.answer("dE_dw5_expr").mistake == "sign_flipped"


# --- error carried forward ---------------------------------------------------------------

def _downstream_of_wrong_o1(wrong_o1: str) -> dict[str, str]:
    """Every answer of the canonical 2-2-2 variant, computed by hand from a wrong o1."""
    family = FAMILIES["backprop_222"]
    with mpmath.workdps(30):
        p = {k: mpmath.mpf(v) for k, v in family.canonical.items()}
        r = reference_222(p)
        o1 = mpmath.mpf(wrong_o1)
        r["o1"] = o1
        r["E"] = ((o1 - p["t1"]) ** 2 + (r["o2"] - p["t2"]) ** 2) / 2
        r["delta_o1"] = (o1 - p["t1"]) * o1 * (1 - o1)
        d1, d2 = r["delta_o1"], r["delta_o2"]
        r["delta_h1"] = (d1 * p["w5"] + d2 * p["w7"]) * r["h1"] * (1 - r["h1"])
        r["delta_h2"] = (d1 * p["w6"] + d2 * p["w8"]) * r["h2"] * (1 - r["h2"])
        e1, e2 = r["delta_h1"], r["delta_h2"]
        grads = {"w1": e1 * p["i1"], "w2": e1 * p["i2"], "w3": e2 * p["i1"], "w4": e2 * p["i2"],
                 "w5": d1 * r["h1"], "w6": d1 * r["h2"], "w7": d2 * r["h1"], "w8": d2 * r["h2"],
                 "b1": e1 + e2, "b2": d1 + d2}
        for name, g in grads.items():
            r[f"dE_d{name}"] = g
            r[f"{name}_new"] = p[name] - p["eta"] * g
        key = answer_key(canonical(family))
        return {k: mpmath.nstr(r[k], 10) for k, e in key.items() if e.kind == "numeric"}


@pytest.mark.parametrize("wrong_o1", ["0.80", "0.70", "0.6"])
def test_a_wrong_o1_costs_only_the_o1_points(wrong_o1):
    v = canonical(FAMILIES["backprop_222"])
    answers = _downstream_of_wrong_o1(wrong_o1)
    result = grade(expectation(v), answers)
    numeric = [a for a in result.answers if a.id in answers]
    lost = [a.id for a in numeric if a.score < a.max]
    assert lost == ["o1"]
    assert result.answer("delta_o1").carried_forward and result.answer("E").carried_forward
    assert sum(a.score for a in numeric) == sum(a.max for a in numeric) - 1


def test_carried_forward_credit_is_a_setting():
    v = canonical(FAMILIES["backprop_222"])
    answers = _downstream_of_wrong_o1("0.80")
    half = grade(expectation(v), answers, Settings(carried_forward_credit=0.5))
    assert half.answer("delta_o1").score == 0.5
    assert half.answer("h1").score == 1


# --- robustness --------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([a.id for a in FAMILIES["backprop_222"].answers]),
                       st.one_of(st.text(max_size=60), st.floats(), st.integers(), st.none())))
def test_no_exception_escapes_the_grader(answers):
    v = canonical(FAMILIES["backprop_222"])
    result = grade(expectation(v), answers)
    assert len(result.answers) == len(FAMILIES["backprop_222"].answers)
    assert 0 <= result.score <= result.max


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    import string

    for table in (MESSAGES, MISTAKES):
        for key, texts in table.items():
            assert set(texts) == set(LANGUAGES), key
            fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
            assert all(f == fields[0] for f in fields), key


def test_feedback_comes_in_chinese_too():
    v = canonical(FAMILIES["backprop_222"])
    result = grade(expectation(v), {"delta_o1": "0.7413650696"}, lang="zh").answer("delta_o1")
    assert result.mistake == "activation_derivative_dropped" and "σ′ = a(1 − a)" in result.feedback
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.feedback)


@pytest.mark.parametrize("family_name", ["backprop_222", "deep_chain", "gd_linear", "local_minima"])
def test_an_update_that_leaves_the_parameter_unchanged_is_never_accepted(family_name):
    """Updates are judged by their step: w1_new = w1 is wrong even when the step is tiny."""
    family = FAMILIES[family_name]
    for expected in expectations(family, [canonical(family), *roster_variants(family_name, 40)]):
        derivation = family.derivation()
        for a in family.answers:
            baseline = update_baseline(derivation, a.id) if a.kind == "numeric" else None
            if baseline is None:
                continue
            unchanged = repr(expected.values[baseline])
            assert grade(expected, {a.id: unchanged}).answer(a.id).status == "incorrect", a.id


def test_chain_rule_formulas_are_gradable_on_every_variant():
    family = FAMILIES["chain_rule"]
    for v, expected in zip(roster_variants("chain_rule", 300),
                           expectations(family, roster_variants("chain_rule", 300)), strict=True):
        key = answer_key(v)["dh_dx_expr"].value
        assert grade(expected, {"dh_dx_expr": key}).answer("dh_dx_expr").status == "correct", key
