"""Named mistakes: never accepted as correct, and named only where they were made.

Every mistaken value comes from tests/mistake_oracles.py (numpy written from the statements),
never from the grader's own derivation; the grader only supplies which answers neighbour
which (a definition, not a value).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.grading import expectation, expectations, grade
from grader.core.mistakes import figures_needed, neighbours, numeric_mistakes
from grader.core.variants import canonical
from grader.families import FAMILIES
from grader.text.messages import LANGUAGES, MISTAKES
from tests.conftest import roster_variants
from tests.mistake_oracles import GUARDED, ORACLES, UPDATES

WELL_OUTSIDE = 0.02  # twice the default tolerance of 1 %


def floats(name: str, variants) -> dict[str, np.ndarray]:
    """The variants' parameters as float arrays."""
    return {n: np.array([float(v.numbers[n]) for v in variants]) for n in FAMILIES[name].params}


def scale(name: str, p, key, answer_id: str) -> np.ndarray:
    """What the grader measures an answer's error against: its size, or its step for an update."""
    origin = UPDATES.get(name, {}).get(answer_id)
    if origin is None:
        return np.abs(key[answer_id])
    return np.abs(key[answer_id] - (key[origin] if origin in key else p[origin]))


def wrong_values(name: str, p, key):
    """(what, answer id, wrong values, rows where the mistake changes the answer) for every guard."""
    family = FAMILIES[name]
    numeric = [x.id for x in family.answers if x.kind == "numeric"]
    for mistake, answers in GUARDED[name].items():
        wrong = ORACLES[name](p, mistake)
        for a in answers or numeric:
            with np.errstate(all="ignore"):
                changed = np.abs(wrong[a] - key[a]) > 1e-9 * scale(name, p, key, a)
            yield mistake, a, wrong[a], changed & np.isfinite(wrong[a])
    for a in numeric:
        for other in neighbours(family, a):
            same = np.abs(key[other] - key[a]) <= 1e-9 * scale(name, p, key, a)  # 0.5 and 0.5 in seed 000
            yield f"value of {other}", a, key[other], ~same


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_no_named_mistake_or_neighbour_is_near_the_key_on_ten_thousand_variants(name):
    variants = roster_variants(name, 10_000)
    p = floats(name, variants)
    key = ORACLES[name](p)
    checked = 0
    for what, a, wrong, changed in wrong_values(name, p, key):
        # the grader allows max(1 % of the size, 1e-6): a size below 1e-4 counts as 1e-4
        size = np.maximum(scale(name, p, key, a), 1e-4)
        gap = np.abs(wrong - key[a])[changed] / size[changed]
        assert (gap >= WELL_OUTSIDE).all(), (what, a, float(gap.min()))
        checked += int(changed.sum())
    assert checked >= 4 * len(variants)


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_the_grader_rejects_every_named_mistake_and_neighbour(name):
    """On the canonical variant (tolerances shrink) and on random ones (conditioning)."""
    family = FAMILIES[name]
    variants = [canonical(family), *roster_variants(name, 40)]
    p = floats(name, variants)
    key = ORACLES[name](p)
    cases = list(wrong_values(name, p, key))
    for row, expected in enumerate(expectations(family, variants)):
        for what, a, wrong, changed in cases:
            if changed[row]:
                result = grade(expected, {a: repr(float(wrong[row]))}).answer(a)
                assert result.status == "incorrect", (row, what, a, result.feedback)


@pytest.mark.parametrize("name, answer_id, other", [
    ("backprop_222", "dE_dw5", "dE_dw6"), ("backprop_222", "h1", "h2"),
    ("local_minima", "grad_1", "grad_2"), ("deep_chain", "delta_1", None),
])
def test_canonical_neighbours_and_mistakes_the_issue_found_are_rejected(name, answer_id, other):
    family = FAMILIES[name]
    v = canonical(family)
    p = floats(name, [v])
    key = ORACLES[name](p)
    value = key[other][0] if other else ORACLES[name](p, "updated_weights_in_deltas")[answer_id][0]
    assert grade(expectation(v), {answer_id: repr(float(value))}).answer(answer_id).status == "incorrect"


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_the_statement_says_how_many_figures_and_that_many_are_enough(name):
    family = FAMILIES[name]
    for v in [canonical(family), *roster_variants(name, 5)]:
        text = family.statement(v.params, "en")
        digits = int(text.split("at least ")[-1].split(" significant")[0])
        assert digits == figures_needed(family, v.numbers)  # the statement's shortcut for drawn variants
        assert f"至少保留 {digits} 位有效数字" in family.statement(v.params, "zh")
        key = ORACLES[name](floats(name, [v]))
        typed = {a.id: f"{key[a.id][0]:.{digits}g}" for a in family.answers
                 if a.kind == "numeric" and a.id not in UPDATES.get(name, {})}
        result = grade(expectation(v), typed)
        assert all(result.answer(a).status == "correct" for a in typed), (v.numbers, digits)
    canonical_digits = {"backprop_222": 4, "deep_chain": 4}.get(name, 3)
    assert f"at least {canonical_digits} significant" in family.statement(canonical(family).params, "en")


# --- item 8: labels that were wrong -------------------------------------------------------

def _canonical(name):
    v = canonical(FAMILIES[name])
    return v, expectation(v), ORACLES[name](floats(name, [v]))


def test_eta_max_with_the_half_dropped_is_named_without_claiming_twice():
    v, expected, _ = _canonical("gd_linear")  # x = 1: eta_max = 2, with E = (wx - t)^2 it is 1
    result = grade(expected, {"eta_max": "1"}).answer("eta_max")
    assert result.mistake == "half_forgotten"
    assert "twice" not in result.feedback and "两倍" not in grade(expected, {"eta_max": "1"}, lang="zh").answer(
        "eta_max").feedback


def test_a_weight_left_unchanged_is_not_told_it_was_rounded():
    v, expected, _ = _canonical("backprop_222")  # w1_new = 0.14978..., rounds to w1 = 0.15
    result = grade(expected, {"w1_new": "0.15"}).answer("w1_new")
    assert result.status == "incorrect" and result.mistake is None


def test_the_other_input_in_dE_dw1_is_not_told_the_half_was_dropped():
    v, expected, key = _canonical("backprop_222")  # i2 = 2 i1, so delta_h1 i2 = 2 dE_dw1
    value = float(key["delta_h1"][0] * float(v.numbers["i2"]))
    result = grade(expected, {"dE_dw1": repr(value)}).answer("dE_dw1")
    assert result.status == "incorrect" and result.mistake != "half_forgotten"


def test_local_minima_derivative_without_the_half_is_named_without_claiming_twice():
    v, expected, _ = _canonical("local_minima")  # L = 1/2 (w^2 - 1)^2 + 0.3 w
    result = grade(expected, {"dL_dw_expr": "4w(w^2-1)+0.3"}).answer("dL_dw_expr")
    assert result.mistake == "half_forgotten" and "twice" not in result.feedback


# --- item 9: mistakes that now have a name ------------------------------------------------

@pytest.mark.parametrize("name, answer_id, text, mistake", [
    ("backprop_222", "delta_h1_expr", "delta_o1*w5 + delta_o2*w7", "hidden_activation_derivative_dropped"),
    ("gd_linear", "dE_dw_expr", "w*x - t", "inner_derivative_dropped"),
])
def test_symbolic_answers_name_the_new_mistakes(name, answer_id, text, mistake):
    v = canonical(FAMILIES[name])
    assert grade(expectation(v), {answer_id: text}).answer(answer_id).mistake == mistake


LABELLED = {
    "backprop_222": (
        ("hidden_activation_derivative_dropped", "delta_h1"), ("activation_derivative_dropped", "delta_o1"),
        ("updated_weights_in_deltas", "delta_h2"), ("wrong_weight_index", "delta_h1"),
        ("bias_one_delta", "dE_db1"), ("bias_one_delta", "dE_db2"), ("activation_forgotten", "o1"),
        ("activation_forgotten", "delta_o2"), ("half_forgotten", "E"), ("step_added", "w5_new"),
        ("inner_derivative_dropped", "dE_dw5"), ("inner_derivative_dropped", "dE_dw3"),
    ),
    "deep_chain": (
        ("wrong_layer_weight", "delta_1"), ("hidden_activation_derivative_dropped", "delta_2"),
        ("updated_weights_in_deltas", "delta_1"), ("inner_derivative_dropped", "dE_dw_1"),
        ("activation_forgotten", "a_2"), ("half_doubled", "delta_3"),
    ),
    "gd_linear": (
        ("half_forgotten", "eta_max"), ("inner_derivative_dropped", "grad_1"), ("half_forgotten", "E_1"),
        ("step_added", "w_1"), ("half_doubled", "grad_2"),
    ),
    "local_minima": (("half_forgotten", "grad_0"), ("step_added", "w_1"), ("half_doubled", "grad_1")),
    "chain_rule": (("derivative_at_x0", "df_dg_value"), ("inner_derivative_dropped", "dh_dx_value"),
                   ("inner_derivative_dropped", "dg_dx_value")),
    "gradient_meaning": (("step_added", "w_new"),),  # delta_w with the step added is -delta_w: no label
}


@pytest.mark.parametrize("name", sorted(LABELLED))
def test_each_label_appears_only_where_its_mistake_was_made_on_a_thousand_variants(name):
    """A value made with mistake M (typed to 4 figures) is named M or nothing, never another name;
    the key and an unchanged weight are never given a mistake's name.

    Nothing is named where two mistakes give about the same number (in gd_linear with x = 2,
    leaving out x halves the gradient just as 1/4 for 1/2 does), so M is named in at least
    40 % of the variants where it changes the answer, not in all of them.
    """
    family = FAMILIES[name]
    variants = roster_variants(name, 1000)
    p = floats(name, variants)
    key = ORACLES[name](p)
    made = {(m, a): ORACLES[name](p, m)[a] for m, a in LABELLED[name]}
    named, changed = dict.fromkeys(made, 0), dict.fromkeys(made, 0)
    for row, expected in enumerate(expectations(family, variants)):
        for (mistake, a), values in made.items():
            if not np.isfinite(values[row]) or abs(values[row] - key[a][row]) <= 1e-9 * abs(key[a][row]):
                continue  # this variant's numbers make the mistake harmless (or impossible) here
            changed[(mistake, a)] += 1
            digits = 8 if a in UPDATES.get(name, {}) else 4  # an update is judged by its step
            result = grade(expected, {a: f"{values[row]:.{digits}g}"}).answer(a)
            assert result.status == "incorrect" and result.mistake in (mistake, None), (row, mistake, a, result)
            named[(mistake, a)] += result.mistake == mistake
        given = {a: f"{key[a][row]:.6g}" for _, a in made}
        given |= {u: f"{p[u[:-4]][row]:.6g}" for u in UPDATES.get(name, {}) if u[:-4] in p}
        result = grade(expected, given)
        assert all(r.mistake in (None, "off_by_one") for r in result.answers), result
    assert all(named[case] >= 0.4 * changed[case] > 0 for case in made), (named, changed)


def test_every_mistake_has_a_message_in_every_language_with_the_same_fields():
    import string
    for name, texts in MISTAKES.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGUAGES}
        assert fields["en"] == fields["zh"], name


# --- item 9: every wrong option says why ---------------------------------------------------

CHOICE_FAMILIES = ("gd_linear", "local_minima", "gradient_meaning")


@pytest.mark.parametrize("name", CHOICE_FAMILIES)
def test_every_wrong_option_gets_one_sentence_why_in_both_languages(name):
    family = FAMILIES[name]
    variants = [canonical(family), *roster_variants(name, 30)]
    for expected in expectations(family, variants):
        for answer in (a for a in family.answers if a.kind == "choice"):
            verdicts = {o: grade(expected, {answer.id: o}).answer(answer.id) for o in answer.options}
            assert sum(v.status == "correct" for v in verdicts.values()) == 1
            for lang, generic in (("en", "That is not the right option."), ("zh", "这个选项不对。")):
                for option, verdict in verdicts.items():
                    if verdict.status == "incorrect":
                        text = grade(expected, {answer.id: option}, lang=lang).answer(answer.id).feedback
                        reason = text.removeprefix(generic).strip()
                        assert text.startswith(generic) and len(reason) > 20, (answer.id, option, text)


def test_q2_says_raises_exactly_where_the_nudge_raises_the_loss():
    from itertools import permutations
    family = FAMILIES["gradient_meaning"]
    orders = list(permutations(range(4)))
    offered = ((1, 1), (1, -1), (2, 1), (2, -1))  # the statement's q2 options, in canonical order
    variants = roster_variants("gradient_meaning", 200)
    for v, expected in zip(variants, expectations(family, variants), strict=True):
        shown = orders[int(v.numbers["order_q2"])]
        for letter, index in zip("ABCD", shown, strict=True):
            weight, direction = offered[index]
            verdict = grade(expected, {"q2": letter}).answer("q2")
            if verdict.status == "incorrect":
                raises = float(v.numbers[f"g{weight}"]) * direction > 0
                assert ("raises E" in verdict.feedback) == raises, (v.numbers, letter, verdict.feedback)


def test_a_family_with_the_same_name_but_other_answers_gets_its_own_mistakes():
    family = FAMILIES["backprop_222"]
    fewer = dataclasses.replace(family, answers=tuple(a for a in family.answers if a.id in ("o1", "E")))
    params = as_arrays([canonical(family).numbers], family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    assert len(numeric_mistakes(family, params, values)) > 2
    assert set(numeric_mistakes(fewer, params, values)) == {"o1", "E"}
    assert len(numeric_mistakes(family, params, values)) > 2
