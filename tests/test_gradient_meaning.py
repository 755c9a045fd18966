"""gradient_meaning against an oracle that reads the rendered options and reasons by hand."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

import pytest
import sympy

from grader.core.keys import answer_key
from grader.core.model import Rules
from grader.core.variants import Variant, canonical, decimal_text
from grader.families import FAMILIES
from tests.conftest import roster_variants

FAMILY = FAMILIES["gradient_meaning"]
OPTION = re.compile(r"^\s+- ([ABCD])\. (.*)$", re.MULTILINE)


def options(text: str, question: str) -> dict[str, str]:
    """The lettered options printed after 'Answer `qN`:' (English statement)."""
    start = text.index(f"Answer `{question}`:")
    following = [text.find(f"Answer `q{n}`:") for n in range(int(question[1]) + 1, 5)]
    end = min([i for i in following if i > 0] or [len(text)])
    found = dict(OPTION.findall(text[start:end]))
    assert sorted(found) == ["A", "B", "C", "D"], found
    assert len(set(found.values())) == 4, f"{question}: two options read the same: {found}"
    return found


def fractions(v: Variant) -> dict[str, Fraction]:
    return {k: Fraction(int(x.p), int(x.q)) for k, x in v.params.items()}


def expected_texts(p: dict[str, Fraction]) -> dict[str, str]:
    """The text of the right option of each question, worked out by hand."""
    step = abs(p["eta"] * p["g"])
    q1 = f"$w$ {'increases' if p['g'] < 0 else 'decreases'} by ${decimal_text(sympy.Rational(step))}$"
    i = 1 if abs(p["g1"]) > abs(p["g2"]) else 2
    q2 = f"{'increase' if p[f'g{i}'] < 0 else 'decrease'} $w_{i}$ by $h$"
    steeper = "P" if abs(p["g_P"]) > abs(p["g_Q"]) else "Q"
    q3 = f"From {steeper}: the step is"
    k = int(p["k"]) + 1  # layers are shown numbered from 1, as in deep_chain (the model's layer k is k + 1)
    # delta(k) = delta(k+1) w(k+1) a(k) (1 - a(k)), seed 002.
    q4 = rf"$\delta^{{({k + 1})}}$, $w^{{({k + 1})}}$ and $a^{{({k})}}$"
    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4}


def right_letter(text: str, question: str, expected: str) -> str:
    matches = [letter for letter, option in options(text, question).items()
               if option.startswith(expected)]
    assert len(matches) == 1, (question, expected, options(text, question))
    return matches[0]


def test_canonical_variant():
    v = canonical(FAMILY)
    key = answer_key(v)
    assert [key[q].value for q in ("q1", "q2", "q3", "q4")] == ["B", "A", "C", "D"]
    assert sympy.Rational(key["delta_w"].exact) == sympy.Rational(-1, 5)
    assert sympy.Rational(key["w_new"].exact) == sympy.Rational(4, 5)


@pytest.mark.parametrize("index", range(0, 300, 3))
def test_key_matches_the_hand_reasoned_option(index):
    v = roster_variants("gradient_meaning", 300)[index]
    p, key = fractions(v), answer_key(v)
    text = FAMILY.statement(v.params, "en")
    for question, expected in expected_texts(p).items():
        assert key[question].value == right_letter(text, question, expected), question
    assert Fraction(key["delta_w"].exact) == -p["eta"] * p["g"]
    assert Fraction(key["w_new"].exact) == p["w"] - p["eta"] * p["g"]


def test_every_letter_is_right_about_equally_often():
    counts = {q: Counter() for q in ("q1", "q2", "q3", "q4")}
    for v in roster_variants("gradient_meaning", 2000):
        key = answer_key(v)
        for q, counter in counts.items():
            counter[key[q].value] += 1
    for q, counter in counts.items():
        assert all(0.18 <= counter[letter] / 2000 <= 0.32 for letter in "ABCD"), (q, counter)


def test_distractors_always_differ_from_the_right_option():
    for v in roster_variants("gradient_meaning", 10_000)[:1000]:
        text = FAMILY.statement(v.params, "en")
        for q in ("q1", "q2", "q3", "q4"):
            options(text, q)  # four distinct option texts
        p = fractions(v)
        assert abs(p["eta"] * p["g"]) != abs(p["g"])


def test_conditioning_rules_on_many_variants():
    for v in roster_variants("gradient_meaning", 10_000)[:3000]:
        p = fractions(v)
        assert p["w"] != 0 and abs(p["w"]) <= 2 and (p["w"] * 10).denominator == 1
        assert Fraction(1, 5) <= abs(p["g"]) <= 4 and (p["g"] * 10).denominator == 1
        assert p["eta"] in {Fraction(x) for x in ("0.01", "0.02", "0.05", "0.1", "0.2", "0.25", "0.5")}
        big, small = sorted((abs(p["g1"]), abs(p["g2"])), reverse=True)
        assert big >= Fraction(3, 2) * small and small >= Fraction(1, 5)
        loud, quiet = ("P", "Q") if p["E_P"] > p["E_Q"] else ("Q", "P")
        assert p[f"E_{loud}"] >= 2 * p[f"E_{quiet}"]
        assert abs(p[f"g_{quiet}"]) >= 2 * abs(p[f"g_{loud}"])
        assert 3 <= p["last"] <= 6 and 1 <= p["k"] <= p["last"] - 1
        w_new = p["w"] - p["eta"] * p["g"]
        assert abs(w_new) >= Fraction(1, 20)


def test_q4_dependencies_agree_with_sympy_diff_of_the_whole_network():
    """dE/dz_k = dE/dz_(k+1) * w_(k+1) * a_k (1 - a_k), checked on the expanded network."""
    last, k = 4, 2
    x, y = sympy.symbols("x y")
    ws = sympy.symbols(f"w0:{last + 1}")
    bs = sympy.symbols(f"b0:{last + 1}")
    zs = sympy.symbols(f"z0:{last + 1}")

    def loss_from(layer: int, z: sympy.Expr) -> sympy.Expr:
        a = 1 / (1 + sympy.exp(-z))
        for later in range(layer + 1, last + 1):
            a = 1 / (1 + sympy.exp(-(ws[later] * a + bs[later])))
        return sympy.Rational(1, 2) * (a - y) ** 2

    point = {x: 0.3, y: 0.8, **{s: 0.1 * (i + 2) for i, s in enumerate(ws + bs)},
             zs[k]: 0.4}
    a_k = 1 / (1 + sympy.exp(-zs[k]))
    z_next = ws[k + 1] * a_k + bs[k + 1]
    delta_k = sympy.diff(loss_from(k, zs[k]), zs[k])
    delta_next = sympy.diff(loss_from(k + 1, zs[k + 1]), zs[k + 1]).xreplace({zs[k + 1]: z_next})
    seed_form = delta_next * ws[k + 1] * a_k * (1 - a_k)
    assert abs(float((delta_k - seed_form).xreplace(point).evalf())) < 1e-12
    params = {**canonical(FAMILY).params, "last": sympy.Integer(last), "k": sympy.Integer(k)}
    text = FAMILY.statement(params, "en")
    assert answer_key_for(params)["q4"] == right_letter(text, "q4", expected_texts(
        {n: Fraction(int(val.p), int(val.q)) for n, val in params.items()})["q4"])


def answer_key_for(params) -> dict[str, str]:
    derivation = FAMILY.derivation()
    return {q: c.decide(params) for q, c in derivation.choices.items()}


def test_a_wrong_update_sign_picks_the_wrong_way_option():
    v = canonical(FAMILY)  # g = 2 > 0: w should decrease
    text = FAMILY.statement(v.params, "en")
    wrong = FAMILY.derivation(Rules(update_sign=1)).choices["q1"].decide(v.params)
    assert options(text, "q1")[wrong] == "$w$ increases by $0.2$"


def test_dropping_sigma_prime_picks_the_two_factor_option():
    v = canonical(FAMILY)  # k = 1
    text = FAMILY.statement(v.params, "en")
    wrong = FAMILY.derivation(Rules(activation_derivative=False)).choices["q4"].decide(v.params)
    assert options(text, "q4")[wrong] == r"$\delta^{(3)}$ and $w^{(3)}$"


@pytest.mark.parametrize("index", range(0, 40, 4))
def test_chinese_statement_lists_the_same_options(index):
    v = roster_variants("gradient_meaning", 300)[index]
    text = FAMILY.statement(v.params, "zh")
    for q in ("q1", "q2", "q3", "q4"):
        assert f"填 `{q}`" in text
    assert len(OPTION.findall(text)) == 16
    assert "`delta_w`" in text and "`w_new`" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_layers_are_numbered_from_one_with_the_input_as_layer_zero(lang):
    """One numbering for the whole course (deep_chain's): layers 1..L, a^(0) = x; Δw, not δ_w."""
    v = canonical(FAMILY)  # last = 3, k = 1 in the model: four layers, delta asked for the second
    text = FAMILY.statement(v.params, lang)
    assert r"l = 1, 2, \dots, 4" in text and "a^{(0)} = x" in text
    assert r"\delta^{(2)}" in text.split("q4")[0] and "-1)} = x" not in text
    assert r"\Delta w = w_{\mathrm{new}} - w" in text
