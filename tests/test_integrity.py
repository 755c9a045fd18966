"""Grades that cannot be gamed (issue 11): restated formulas, degenerate chains, carried-forward
credit from the student's own values, update steps, how a formula was read, mistake credit.

Every expected value is computed here with numpy from the statement's numbers, never taken
from the grader's key.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.code import grade_code_source
from grader.core.compare import Tolerance
from grader.core.grading import Settings, expectation, expectations, grade
from grader.core.variants import canonical
from grader.course.assignment import AssignmentError, parse_assignment
from grader.course.sheets import answer_sheet
from grader.families import FAMILIES
from tests.conftest import roster_variants

ROOT = Path(__file__).resolve().parents[1]

WEIGHTS = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def net_222(p: dict[str, float], **given: float) -> dict[str, float]:
    """Every quantity of the 2-2-2 network in numpy, from the statement's numbers ``p``;
    a quantity in ``given`` replaces the computed one (a student's own earlier value)."""
    r: dict[str, float] = {}

    def put(name, value):
        r[name] = float(given.get(name, value))
        return r[name]

    h1 = put("h1", sigmoid(put("h1_in", p["w1"] * p["i1"] + p["w2"] * p["i2"] + p["b1"])))
    h2 = put("h2", sigmoid(put("h2_in", p["w3"] * p["i1"] + p["w4"] * p["i2"] + p["b1"])))
    o1 = put("o1", sigmoid(put("o1_in", p["w5"] * h1 + p["w6"] * h2 + p["b2"])))
    o2 = put("o2", sigmoid(put("o2_in", p["w7"] * h1 + p["w8"] * h2 + p["b2"])))
    put("E", ((o1 - p["t1"]) ** 2 + (o2 - p["t2"]) ** 2) / 2)
    d1 = put("delta_o1", (o1 - p["t1"]) * o1 * (1 - o1))
    d2 = put("delta_o2", (o2 - p["t2"]) * o2 * (1 - o2))
    e1 = put("delta_h1", (d1 * p["w5"] + d2 * p["w7"]) * h1 * (1 - h1))
    e2 = put("delta_h2", (d1 * p["w6"] + d2 * p["w8"]) * h2 * (1 - h2))
    grads = {"w1": e1 * p["i1"], "w2": e1 * p["i2"], "w3": e2 * p["i1"], "w4": e2 * p["i2"],
             "w5": d1 * h1, "w6": d1 * h2, "w7": d2 * h1, "w8": d2 * h2, "b1": e1 + e2, "b2": d1 + d2}
    for name, g in grads.items():
        put(f"{name}_new", p[name] - p["eta"] * put(f"dE_d{name}", g))
    return r


def floats(v) -> dict[str, float]:
    return {k: float(x) for k, x in v.numbers.items()}


CANONICAL = canonical(FAMILIES["backprop_222"])
P = floats(CANONICAL)


# --- 1. a formula may not restate what is asked ------------------------------------------

@pytest.mark.parametrize("family_name, answer_id, text, name", [
    ("backprop_222", "delta_o1_expr", "delta_o1", "delta_o1"),
    ("backprop_222", "delta_h1_expr", "delta_h1", "delta_h1"),
    ("backprop_222", "delta_o1_expr", "delta_h1/(w5*h1*(1-h1)) + 0*delta_o2", "delta_h1"),
    ("backprop_222", "dE_dw5_expr", "dE_dw5", None),  # not a symbol of the problem at all
    ("deep_chain", "delta_1_expr", "delta_1", "delta_1"),
    ("deep_chain", "delta_L_expr", "delta_3", "delta_3"),
    ("deep_chain", "delta_L_expr", "delta_2/(w_3*a_2*(1-a_2))", "delta_2"),
])
def test_a_formula_that_restates_the_question_is_invalid_and_says_which_name(family_name, answer_id, text, name):
    for v in [canonical(FAMILIES[family_name]), *roster_variants(family_name, 5)]:
        result = grade(expectation(v), {answer_id: text}).answer(answer_id)
        assert result.status == "invalid" and result.score == 0, result.feedback
        if name is not None:
            assert name in result.feedback.split("may not be used here")[0].split(". ")[-1]


@pytest.mark.parametrize("family_name, answer_id, text", [
    ("backprop_222", "delta_h1_expr", "(delta_o1*w5 + delta_o2*w7)*h1*(1 - h1)"),
    ("backprop_222", "dE_dw5_expr", "delta_o1*h1"),
    ("backprop_222", "dE_dw1_expr", "delta_h1*i1"),
    ("backprop_222", "delta_o1_expr", "(o1 - t1)*o1*(1 - o1)"),
    ("deep_chain", "delta_1_expr", "delta_2*w_2*a_1*(1 - a_1)"),
    ("deep_chain", "delta_L_expr", "(a_3 - y)*a_3*(1 - a_3)"),
])
def test_a_formula_from_earlier_quantities_is_still_correct(family_name, answer_id, text):
    for v in [canonical(FAMILIES[family_name]), *roster_variants(family_name, 5)]:
        result = grade(expectation(v), {answer_id: text}).answer(answer_id)
        assert result.status == "correct", result.feedback


def test_the_answer_sheet_does_not_offer_the_asked_quantity():
    hw = parse_assignment('id = "hw"\n[[questions]]\nid = "q1"\nfamily = "backprop_222"\n'
                          '[[questions]]\nid = "q2"\nfamily = "deep_chain"\n')
    lines = {line.split(":")[0].lstrip("# "): line for line in answer_sheet(hw, "s1").splitlines()
             if "_expr:" in line}
    assert "delta_o1" not in lines["delta_o1_expr"].split(":")[1]
    assert "delta_o1" in lines["delta_h1_expr"] and "delta_h1," not in lines["delta_h1_expr"]
    assert "delta_3" not in lines["delta_L_expr"] and "delta_2" not in lines["delta_L_expr"]
    assert "delta_2" in lines["delta_1_expr"] and "delta_1," not in lines["delta_1_expr"]


# --- 2. no carried-forward credit from a degenerate chain -----------------------------------

def degenerate(p: dict[str, float]) -> dict[str, str]:
    """Targets copied into the outputs, then zero error, zero deltas and gradients, weights unchanged."""
    right = net_222(p)
    answers = {k: repr(right[k]) for k in ("h1_in", "h2_in", "h1", "h2", "o1_in", "o2_in")}
    answers |= {"o1": repr(p["t1"]), "o2": repr(p["t2"]), "E": "0"}
    answers |= {d: "0" for d in ("delta_o1", "delta_o2", "delta_h1", "delta_h2")}
    answers |= {f"dE_d{w}": "0" for w in WEIGHTS} | {f"{w}_new": repr(p[w]) for w in WEIGHTS}
    return answers


def test_a_degenerate_chain_earns_only_the_forward_answers_that_are_right():
    family = FAMILIES["backprop_222"]
    variants = [CANONICAL, *roster_variants("backprop_222", 40)]
    for v, expected in zip(variants, expectations(family, variants), strict=True):
        result = grade(expected, degenerate(floats(v)))
        earned = {a.id for a in result.answers if a.score > 0}
        assert earned == {"h1_in", "h2_in", "h1", "h2", "o1_in", "o2_in"}, earned
        assert not any(a.carried_forward for a in result.answers)


def test_a_degenerate_chain_is_told_why_there_is_no_carried_forward_credit():
    result = grade(expectation(CANONICAL), degenerate(P))
    assert "zero" in result.answer("E").feedback and "zero" in result.answer("delta_o1").feedback
    assert "zero" in result.answer("dE_dw1").feedback
    assert result.answer("w1_new").score == 0  # its label is issue 11's item 8, not checked here


def test_an_output_copied_from_its_target_gives_no_carried_forward_loss():
    r = net_222(P, o1=P["t1"])  # o2 right: the loss is not zero, but half of it was skipped
    result = grade(expectation(CANONICAL), {"o1": repr(P["t1"]), "E": repr(r["E"])})
    assert result.answer("E").score == 0 and "copied from the statement" in result.answer("E").feedback


@pytest.mark.parametrize("o1, why", [(1.0, "zero"), (0.995, "saturated"), (0.0, "zero")])
def test_a_saturated_output_gives_no_carried_forward_delta(o1, why):
    r = net_222(P, o1=o1)
    result = grade(expectation(CANONICAL), {"o1": repr(o1), "delta_o1": repr(r["delta_o1"])})
    assert result.answer("delta_o1").score == 0 and why in result.answer("delta_o1").feedback


def test_an_unchanged_weight_is_refused_even_with_a_tolerance_that_would_take_it():
    wide = Settings(tolerance=Tolerance("absolute", 0.01))
    result = grade(expectation(CANONICAL), {"w1_new": "0.15"}, wide).answer("w1_new")
    assert result.status == "incorrect" and "before the update" in result.feedback
    assert grade(expectation(CANONICAL), {"w1_new": "0.1497"}, wide).answer("w1_new").status == "correct"


def test_code_that_returns_zeros_and_the_old_weights_passes_only_what_it_got_right():
    source = (ROOT / "solutions" / "backprop_222.py").read_text(encoding="utf-8")
    start = source.index("def backward_222")
    source = source[:start] + (
        "def backward_222(p, f):\n"
        "    g = {k: 0.0 for k in ('delta_o1', 'delta_o2', 'delta_h1', 'delta_h2')}\n"
        "    for name in ('w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'b1', 'b2'):\n"
        "        g['dE_d' + name] = 0.0\n"
        "        g[name + '_new'] = p[name]\n"
        "    return g\n")
    result = grade_code_source(source, "backprop_222")
    scores = {t.name: t.score for t in result.tests}
    assert scores["hidden_deltas"] == scores["gradients_222"] == scores["updates_222"] == 0, scores
    assert scores["forward_222"] == 2


def test_code_with_one_wrong_gradient_still_carries_its_update_forward():
    source = (ROOT / "solutions" / "backprop_222.py").read_text(encoding="utf-8")
    source = source.replace('g["dE_dw5"] = g["delta_o1"] * f["h1"]', 'g["dE_dw5"] = 2 * g["delta_o1"] * f["h1"]')
    updates = next(t for t in grade_code_source(source, "backprop_222").tests if t.name == "updates_222")
    assert updates.status == "passed"


# --- 5, 6. carried forward from the student's own values -----------------------------------

def test_an_unasked_intermediate_is_computed_from_the_students_own_values():
    h1, h2 = 0.1, 0.05  # wrong hidden outputs; o1_in not given
    r = net_222(P, h1=h1, h2=h2)
    answers = {"h1": "0.1", "h2": "0.05", "o1": repr(r["o1"]), "o2": repr(r["o2"])}
    result = grade(expectation(CANONICAL), answers)
    assert abs(r["o1"] / net_222(P)["o1"] - 1) > 0.01  # o1 itself is off the right value
    assert result.answer("o1").status == "correct" and result.answer("o1").carried_forward
    assert result.answer("o2").carried_forward


def test_a_step_consistent_with_an_accepted_earlier_value_is_correct():
    right = net_222(P)
    o2 = right["o2"] * 1.0033  # 0.33 % off: accepted
    delta_o2 = (o2 - P["t2"]) * o2 * (1 - o2)
    assert abs(delta_o2 / right["delta_o2"] - 1) > 0.01  # the consistent delta is > 1 % off
    result = grade(expectation(CANONICAL), {"o2": repr(o2), "delta_o2": repr(delta_o2)})
    assert result.answer("o2").status == "correct"
    verdict = result.answer("delta_o2")
    assert verdict.status == "correct" and verdict.score == verdict.max and not verdict.carried_forward


def test_random_variants_carry_a_wrong_o1_forward_through_deltas_gradients_and_updates():
    family = FAMILIES["backprop_222"]
    variants = roster_variants("backprop_222", 30)
    for v, expected in zip(variants, expectations(family, variants), strict=True):
        p = floats(v)
        o1 = net_222(p)["o1"] * 0.9
        r = net_222(p, o1=o1)
        answers = {k: repr(r[k]) for k in ("o1", "delta_o1", "dE_dw5", "delta_h1", "dE_dw1", "w5_new", "w1_new")}
        result = grade(expected, answers)
        assert result.answer("o1").score == 0
        assert all(result.answer(k).score == 1 for k in answers if k != "o1"), result


# --- 7. updates are judged by their step, and the feedback says so ---------------------------

def test_an_update_near_miss_is_told_its_step_and_the_right_one():
    step = -P["eta"] * net_222(P)["dE_dw1"]  # -0.000219...
    result = grade(expectation(CANONICAL), {"w1_new": "0.1498"}).answer("w1_new")
    assert result.status == "incorrect"
    assert "your step -0.0002" in result.feedback and f"expected {step:.3g}" in result.feedback
    assert "keep more digits" in result.feedback


def test_a_far_update_is_told_about_the_step_without_the_right_value():
    step = -P["eta"] * net_222(P)["dE_dw1"]
    result = grade(expectation(CANONICAL), {"w1_new": "0.1"}).answer("w1_new")
    assert "judged by their step" in result.feedback and f"{step:.3g}" not in result.feedback


def test_the_sheet_says_updates_are_judged_by_their_step():
    hw = parse_assignment('id = "hw"\n[[questions]]\nfamily = "backprop_222"\n')
    assert "judged by its step" in answer_sheet(hw, "s1")
    assert "步长" in answer_sheet(hw, "s1", "zh")


# --- 10. how a formula was read ---------------------------------------------------------------

def test_check_json_says_how_a_formula_was_read():
    out = CliRunner().invoke(main, ["check", "gd_linear", "--canonical", "--json",
                                    "--answer", "dE_dw_expr=1/2x(wx-t)", "--answer", "w_1=0.5"])
    assert out.exit_code == 0, out.output
    answers = json.loads(out.output)["answers"]
    assert answers["dE_dw_expr"]["read_as"] == "(1/2)*x*(w*x - t)"
    assert answers["dE_dw_expr"]["feedback"].startswith("Read as (1/2)*x*(w*x - t).")
    assert answers["w_1"]["read_as"] is None


def test_a_correct_formula_is_also_told_how_it_was_read_in_both_languages():
    v = canonical(FAMILIES["gd_linear"])
    for lang, words in (("en", "Read as x*(w*x - t)."), ("zh", "读作 x*(w*x - t)。")):
        result = grade(expectation(v), {"dE_dw_expr": "x(wx-t)"}, lang=lang).answer("dE_dw_expr")
        assert result.status == "correct" and result.feedback.startswith(words)


# --- 11. partial credit for a named mistake --------------------------------------------------

def test_a_named_mistake_earns_its_share_only_when_the_assignment_says_so():
    flipped = repr(-net_222(P)["delta_o1"])
    expected = expectation(CANONICAL)
    assert grade(expected, {"delta_o1": flipped}).answer("delta_o1").score == 0
    half = grade(expected, {"delta_o1": flipped}, Settings(mistake_credit={"sign_flipped": 0.5}))
    verdict = half.answer("delta_o1")
    assert verdict.mistake == "sign_flipped" and verdict.score == 0.5 and verdict.status == "incorrect"
    assert "0.5 of the points" in verdict.feedback


def test_mistake_credit_is_read_from_the_assignment_and_checked():
    text = 'id = "a"\nmistake_credit = { sign_flipped = 0.5 }\n[[questions]]\nfamily = "gd_linear"\n'
    assert parse_assignment(text).questions[0].settings.mistake_credit == {"sign_flipped": 0.5}
    default = parse_assignment('id = "a"\n[[questions]]\nfamily = "gd_linear"\n')
    assert default.questions[0].settings.mistake_credit == {}
    with pytest.raises(AssignmentError, match="not named mistakes"):
        parse_assignment(text.replace("sign_flipped", "sign"))
    with pytest.raises(AssignmentError, match="between 0 and 1"):
        parse_assignment(text.replace("0.5", "2"))


def test_the_report_and_the_quiz_say_how_a_formula_was_read():
    from grader.course.assignment import FamilyQuestion
    from grader.course.report import QuestionOutcome, student_report
    from grader.quiz import session as quiz
    from tests.test_report import _assignment

    family = FAMILIES["gd_linear"]
    v = canonical(family)
    expected = expectation(v)
    result = grade(expected, {"dE_dw_expr": "1/2x(wx-t)"})
    question = FamilyQuestion("q1", family, Settings())
    markdown = student_report(_assignment(question), "s1", [QuestionOutcome(question, expected, result)])
    row = next(line for line in markdown.splitlines() if line.startswith("| `dE_dw_expr`"))
    assert "Read as (1/2)\\*x\\*(w\\*x - t)" in row or "Read as (1/2)*x*(w*x - t)" in row, row
    _, attempt = quiz.submit(quiz.new_session(v), expected, "dE_dw_expr", "1/2x(wx-t)")
    assert attempt.feedback.startswith("Read as (1/2)*x*(w*x - t).")


# --- 4. a classmate's answers earn no carried-forward credit, and are flagged ---------------------

def test_a_classmates_answers_are_recognised_and_earn_no_carried_forward_credit():
    from grader.core.grading import classmates

    family = FAMILIES["backprop_222"]
    variants = roster_variants("backprop_222", 12)
    prepared = expectations(family, variants)
    ids = [f"s{i}" for i in range(len(variants))]
    others = classmates(ids, prepared)
    for copier, source in ((0, 5), (3, 7), (11, 2)):
        theirs = net_222(floats(variants[source]))
        answers = {k: repr(x) for k, x in theirs.items()}
        alone = grade(prepared[copier], answers)
        watched = grade(prepared[copier], answers, others=others)
        assert watched.copied_from == ids[source] and alone.copied_from is None
        assert not any(a.carried_forward for a in watched.answers)
        assert watched.score <= alone.score
        refused = [a for a in watched.answers if "another student" in a.feedback]
        assert refused or not any(a.carried_forward for a in alone.answers)
    for i, v in enumerate(variants):  # own work, right, with one slip or degenerate, is never flagged
        mine = net_222(floats(v), o1=net_222(floats(v))["o1"] * 0.9)
        assert grade(prepared[i], {k: repr(x) for k, x in mine.items()}, others=others).copied_from is None
        assert grade(prepared[i], degenerate(floats(v)), others=others).copied_from is None


@pytest.mark.parametrize("overridden", [False, True])
def test_grade_flags_a_sheet_copied_from_a_classmate_in_the_gradebook_and_the_report(tmp_path, overridden):
    """The flag stays in the gradebook when the teacher also overrides a score of that student."""
    import csv
    import shutil

    if overridden:
        (tmp_path / "overrides.csv").write_text("student,question,answer,points,reason\n"
                                                "s004,q1,total,1,looked at by hand\n", encoding="utf-8")
    examples = ROOT / "examples"
    shutil.copy(examples / "hw1.toml", tmp_path / "hw1.toml")
    shutil.copy(examples / "roster.csv", tmp_path / "roster.csv")
    incoming = tmp_path / "in"
    incoming.mkdir()
    original = (examples / "submissions" / "s002.txt").read_text(encoding="utf-8")
    (incoming / "s002.txt").write_text(original, encoding="utf-8")
    copied = [line for line in original.splitlines() if line.startswith("q2.")]
    (incoming / "s004.txt").write_text("student: s004\nassignment: hw1\n" + "\n".join(copied) + "\n",
                                       encoding="utf-8")
    out = tmp_path / "graded"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "hw1.toml"), str(incoming), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["student_id"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert "q2" in rows["s004"]["reason"] and "s002" in rows["s004"]["reason"]
    assert ("looked at by hand" in rows["s004"]["reason"]) == overridden
    assert "match the variant" not in rows["s002"]["reason"]  # the source copied no one's key, but
    assert "wrong answers identical to s004's" in rows["s002"]["reason"]  # shares its wrong values (shared_wrong)
    report = (out / "reports" / "s004.md").read_text(encoding="utf-8")
    assert "another student's variant" in report and "s002" not in report
    assert json.loads((out / "gradebook.json").read_text(encoding="utf-8"))  # still valid JSON


def test_code_that_never_moves_the_weight_earns_no_weight_points():
    source = (
        "def gd_linear_train(x, t, w0, eta, epochs):\n"
        "    return {'w': [float(w0)] * (epochs + 1), 'E': [0.0] * epochs, 'grad': [0.0] * epochs}\n")
    scores = {t.name: t.score for t in grade_code_source(source, "gd_linear").tests}
    assert scores["gd_gradients"] == scores["gd_losses"] == 0, scores
    assert scores["gd_weights"] == pytest.approx(2 / 3, abs=1e-5)  # only w[0] = w0, one check of three


def test_an_update_left_at_the_students_own_earlier_weight_is_refused():
    """gd_linear seed 000 (x = t = 1, w0 = 0, eta = 0.5): a wrong w_1 = 0.6, then grad_2 = 0 and w_2 = w_1."""
    v = canonical(FAMILIES["gd_linear"])
    result = grade(expectation(v), {"w_1": "0.6", "grad_2": "0", "w_2": "0.6"})
    assert result.answer("w_2").score == 0 and result.answer("grad_2").score == 0
    x, t, eta, w1 = 1.0, 1.0, 0.5, 0.6  # the same wrong w_1, every later step done: carried forward
    grad_2 = (w1 * x - t) * x
    done = grade(expectation(v), {"w_1": "0.6", "grad_2": repr(grad_2), "w_2": repr(w1 - eta * grad_2)})
    assert done.answer("grad_2").carried_forward and done.answer("w_2").carried_forward
