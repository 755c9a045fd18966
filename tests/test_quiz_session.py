"""The pure quiz logic: step order, grading with earlier answers, hints, worked solutions, summary."""

from __future__ import annotations

import math
import re

import pytest
import sympy

from grader.core.grading import expectation
from grader.core.keys import answer_key
from grader.core.variants import canonical
from grader.families import FAMILIES, get_family
from grader.quiz import session as quiz
from grader.quiz.explain import UNNAMED, Worked, hint, worked_lines
from grader.quiz.session import new_session, quiz_variant

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?")
SYMPY_NAMES = {
    "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
    "softmax": lambda k, *zs: sympy.exp(zs[int(k) - 1]) / sum(sympy.exp(z) for z in zs),
    "relu": lambda z: sympy.Max(0, z),
    "step": lambda z: sympy.Heaviside(z, 0),
}


def _variants(name: str):
    fam = get_family(name)
    found = [canonical(fam)] if fam.canonical else []
    return found + [quiz_variant(fam, seed) for seed in (1, 2, 3)]


ALL = [v for name in sorted(FAMILIES) for v in _variants(name)]
IDS = [f"{v.family.name}-{'canonical' if v.key is None else v.key.student}" for v in ALL]


@pytest.fixture(scope="module")
def backprop():
    v = canonical(get_family("backprop_222"))
    return v, expectation(v), answer_key(v)


def test_backprop_steps_in_the_order_a_person_solves_it(backprop):
    session = new_session(backprop[0])
    assert [s for s, _ in session.steps] == [
        "forward pass", "loss", "output deltas", "hidden deltas", "gradients", "updates", "formulas"]
    assert session.current == "h1_in"
    assert dict(session.steps)["hidden deltas"] == ("delta_h1", "delta_h2")


def test_a_named_mistake_then_a_right_answer(backprop):
    v, expected, key = backprop
    session = new_session(v)
    dropped = key["o1"].value - 0.01  # (o1 - t1) without the sigmoid derivative o1 (1 - o1)
    session, result = quiz.submit(session, expected, "delta_o1", f"{dropped:.5f}")
    assert (result.status, result.mistake) == ("incorrect", "activation_derivative_dropped")
    assert not session.state("delta_o1").done
    session, result = quiz.submit(session, expected, "delta_o1", "0.1385")
    assert result.status == "correct"
    assert session.state("delta_o1").outcome == "later"


def test_earlier_answers_are_passed_along_for_carried_forward(backprop):
    v, expected, key = backprop
    wrong_o1 = 0.8
    by_hand = 0.5 * ((wrong_o1 - 0.01) ** 2 + (key["o2"].value - 0.99) ** 2)
    fresh = new_session(v)
    _, alone = quiz.submit(fresh, expected, "E", f"{by_hand:.6f}")
    assert alone.status == "incorrect"
    session, first = quiz.submit(fresh, expected, "o1", str(wrong_o1))
    assert first.status == "incorrect"
    session = quiz.move_on(session, "o1")
    session, carried = quiz.submit(session, expected, "E", f"{by_hand:.6f}")
    assert carried.status == "correct" and carried.carried_forward
    assert "o1" in carried.feedback
    assert session.state("o1").outcome == "wrong" and session.state("E").outcome == "first"


def test_a_shown_solution_finishes_the_step_and_scores_nothing(backprop):
    v, expected, key = backprop
    session = new_session(v)
    session, _ = quiz.submit(session, expected, "delta_o1", "0.1385")
    session, shown = quiz.show_solution(session, Worked(v), "output deltas")
    assert session.state("delta_o1").outcome == "first"
    assert session.state("delta_o2").outcome == "shown" and session.state("delta_o2").done
    assert [line.text.split(" = ")[0] for line in shown.lines] == ["delta_o1", "delta_o2"]
    summary = quiz.summarize(session, expected)
    assert summary.score == 1 and summary.count("shown") == 1 and summary.count("first") == 1
    assert summary.count("open") == len(v.family.answers) - 2
    assert summary.max == sum(a.points for a in v.family.answers)


def test_stop_and_move_on(backprop):
    v, expected, _ = backprop
    session = quiz.move_on(new_session(v), "h1_in")
    assert session.current == "h2_in" and session.state("h1_in").outcome == "open"
    assert quiz.stop(session).finished and quiz.stop(session).current is None


def test_review_session_asks_one_step_and_gives_the_earlier_ones(backprop):
    session = new_session(backprop[0], steps=["gradients"])
    assert session.asked[0] == "dE_dw5" and len(session.asked) == 10
    assert session.given == ("h1_in", "h2_in", "h1", "h2", "o1_in", "o2_in", "o1", "o2", "E",
                             "delta_o1", "delta_o2", "delta_h1", "delta_h2")
    with pytest.raises(KeyError):
        new_session(backprop[0], steps=["no such step"])


def test_newly_done_reports_each_answer_once(backprop):
    v, expected, _ = backprop
    before = new_session(v)
    after, _ = quiz.submit(before, expected, "h1_in", "0.3775")
    assert [s.id for s in quiz.newly_done(before, after)] == ["h1_in"]
    again, _ = quiz.submit(after, expected, "h2_in", "7")
    assert quiz.newly_done(after, again) == ()


def _numbers(text: str) -> set[float]:
    return {float(n) for n in NUMBER.findall(text)}


@pytest.mark.parametrize("v", ALL, ids=IDS)
def test_hints_point_at_the_formula_never_the_value(v):
    worked = Worked(v)
    key = answer_key(v)
    for answer in v.family.answers:
        h = hint(worked, answer)
        constant = answer.kind == "numeric" and not worked.formula(answer.id).free_symbols - {
            sympy.Symbol(n) for n in UNNAMED.get(v.family.name, ())}  # an affine map's slope, say
        assert h.lines or answer.kind == "choice" or constant, answer.id
        text = "\n".join(line.text for line in h.lines)
        if constant:  # the hint says where to read it, never the number
            value = float(key[answer.id].value)
            assert not any(f"{value:.{d}g}" in h.lead for d in (1, 2, 3, 4, 6, 12)), answer.id
        elif answer.kind == "numeric":
            (line,) = h.lines
            name, formula = line.text.split(" = ", 1)
            assert name == answer.id
            own = str(v.family.derivation().quantity(answer.id))
            unnamed = {abs(float(v.params[n])) for n in UNNAMED.get(v.family.name, ())}
            assert _numbers(formula) <= _numbers(own) | unnamed, f"{answer.id}: a hint only has its formula's constants"
            parsed = sympy.sympify(formula, locals=SYMPY_NAMES)
            assert parsed.free_symbols, f"{answer.id}: the hint is a formula, not a number"
            values = {sympy.Symbol(k): sympy.Float(float(x)) for k, x in worked.values.items()}
            assert math.isclose(float(parsed.xreplace(values)), key[answer.id].value, rel_tol=1e-4, abs_tol=1e-9)
        elif answer.kind == "symbolic":
            assert key[answer.id].exact not in text
        elif not all(re.search(rf"\b{re.escape(o)}\b", text) for o in answer.options):  # a list of all is no clue
            assert not re.search(rf"\b{re.escape(key[answer.id].value)}\b", text), answer.id


@pytest.mark.parametrize("v", ALL, ids=IDS)
def test_worked_lines_recompute_to_the_key(v):
    worked = Worked(v)
    key = answer_key(v)
    for answer in v.family.answers:
        lines = worked_lines(worked, answer)
        if answer.kind == "numeric":
            parts = lines[0].text.split(" = ")
            assert parts[0] == answer.id
            assert math.isclose(float(parts[-1]), key[answer.id].value, rel_tol=1e-5, abs_tol=1e-12)
            values = {sympy.Symbol(k): sympy.Float(float(x)) for k, x in worked.values.items()}
            formula = sympy.sympify(parts[1], locals=SYMPY_NAMES).xreplace(values)
            assert math.isclose(float(formula), key[answer.id].value, rel_tol=1e-4, abs_tol=1e-9), lines[0].text
            if len(parts) == 4:  # name = formula = formula with numbers = value
                recomputed = float(sympy.sympify(parts[2], locals=SYMPY_NAMES))
                assert math.isclose(recomputed, key[answer.id].value, rel_tol=1e-4, abs_tol=1e-9), lines[0].text
        elif answer.kind == "symbolic":
            shown = sympy.sympify(lines[-1].text.split(" = ", 1)[1], locals=SYMPY_NAMES)
            assert sympy.simplify(shown - sympy.sympify(key[answer.id].exact, locals=SYMPY_NAMES)) == 0
        else:
            assert re.search(rf"\b{answer.id}\b.*\b{re.escape(key[answer.id].value)}\b", lines[-1].text), lines[-1]


SEED_ARTICLE = {  # seed 000's worked numbers (rounded as the article prints them)
    "gd_linear": {"w_1": 0.5, "w_2": 0.75, "E_1": 0.5, "E_2": 0.125, "grad_1": -1, "grad_2": -0.5},
    "backprop_222": {"o1": 0.75136507, "E": 0.298371109, "delta_o1": 0.138498562, "w5_new": 0.35891648,
                     "w6_new": 0.408666186, "w7_new": 0.511301270, "w8_new": 0.561370121, "w1_new": 0.149780716},
}


@pytest.mark.parametrize("family", sorted(SEED_ARTICLE))
def test_worked_solution_of_the_seed_article(family):
    v = canonical(get_family(family))
    worked = Worked(v)
    for answer_id, value in SEED_ARTICLE[family].items():
        (line,) = worked_lines(worked, v.family.answer(answer_id))
        assert math.isclose(float(line.text.rsplit(" = ", 1)[1]), value, rel_tol=1e-5), line.text
