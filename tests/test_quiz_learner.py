"""The learner's side (issue 16): hints that teach, explained choices, one answer revealed at a time.

Expected numbers are worked out here from the statement's numbers with numpy, not taken from
the quiz code.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from grader.core.grading import expectation
from grader.core.keys import answer_key
from grader.core.variants import canonical
from grader.families import FAMILIES, get_family
from grader.quiz import session as quiz
from grader.quiz.explain import Worked, hint, solution, worked_lines
from grader.quiz.formulas import tex_name
from grader.quiz.session import group_steps, new_session, quiz_variant

LANGS = ("en", "zh")
NAME = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z_0-9]*")
FUNCTIONS = {"sigmoid", "tanh", "exp", "log"}


def _text(h) -> str:
    return "\n".join([h.lead, *(line.text for line in h.lines), *h.notes])


def _variants(name: str):
    fam = get_family(name)
    return [canonical(fam), *(quiz_variant(fam, seed) for seed in (1, 2, 3, 4))]


@pytest.mark.parametrize("lang", LANGS)
def test_gradient_meaning_q2_to_q4_have_their_own_hints_and_solutions(lang):
    v = canonical(get_family("gradient_meaning"))
    worked = Worked(v)
    fam = v.family
    questions = ("q1", "q2", "q3", "q4")
    texts = {q: [_text(hint(worked, fam.answer(q), lang, level)) for level in (1, 2, 3)] for q in questions}
    for q in ("q2", "q3", "q4"):
        for level in range(3):
            assert texts[q][level] != texts["q1"][level], (q, level)
            assert "delta_w = -eta*g" not in texts[q][level] and "w_new" not in texts[q][level], (q, level)
    # q2: the four first-order changes g_i * (+-h) with the statement's numbers (0.5, -2, h = 0.01)
    q2 = "\n".join(line.text for line in worked_lines(worked, fam.answer("q2"), lang))
    for change in (0.5 * 0.01, 0.5 * -0.01, -2 * 0.01, -2 * -0.01):
        assert f"= {change:g}" in q2, (change, q2)
    # q3: the two step lengths eta |g| = 0.1 * 0.1 and 0.1 * 1.5
    q3 = "\n".join(line.text for line in worked_lines(worked, fam.answer("q3"), lang))
    assert "= 0.01" in q3 and "= 0.15" in q3
    # q4: delta of layer 2 (layers shown from 1) from delta, w of layer 3 and a of layer 2
    q4 = "\n".join(line.text for line in worked_lines(worked, fam.answer("q4"), lang))
    assert "δ⁽²⁾ = δ⁽³⁾ w⁽³⁾ a⁽²⁾(1 - a⁽²⁾)" in q4


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("lang", LANGS)
def test_no_worked_solution_repeats_a_line(name, lang):
    for v in _variants(name)[:2]:
        worked = Worked(v)
        for step, ids in group_steps(v.family.answers):
            lines = [line.text for line in solution(worked, step, tuple(v.family.answer(a) for a in ids), lang).lines]
            assert len(lines) == len(set(lines)), (step, lines)


# Names that no statement defines (the issue's examples): an inner variable, parameters the
# statement writes only as numbers, and answers of a later step.
UNDEFINED = {"chain_rule": {"u", "a", "b"}, "local_minima": {"a", "s"}}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_hints_use_only_names_the_student_has_met(name):
    for v in _variants(name):
        worked = Worked(v)
        answers = v.family.answers
        for index, answer in enumerate(answers):
            if answer.kind != "numeric":
                continue
            met = {a.id for a in answers[:index]} | set(v.params)
            for level in (2, 3):
                for line in hint(worked, answer, "en", level).lines:
                    used = set(NAME.findall(line.text.split(" = ", 1)[1])) - FUNCTIONS
                    assert used <= met - UNDEFINED.get(name, set()), (answer.id, level, line.text)


def test_the_named_defects_of_the_issue_are_gone():
    chain = Worked(canonical(get_family("chain_rule")))
    step2 = hint(chain, chain.family.answer("df_dg_value"), "en", 2)
    assert "h_value" not in _text(step2) and "sigmoid(g_value)" in _text(step2)
    symbolic = _text(hint(chain, chain.family.answer("dh_dx_expr"), "en", 2))
    assert not re.search(r"\bu\b", symbolic) and "x0" not in symbolic
    linear = Worked(canonical(get_family("gd_linear")))
    dedw = _text(hint(linear, linear.family.answer("dE_dw_expr"), "en", 2))
    assert "pred_1" not in dedw and "w0" not in dedw and "E = (-t + w*x)^2/2" in dedw
    minima = Worked(canonical(get_family("local_minima")))  # a = 1, s = 0.3
    grad = _text(hint(minima, minima.family.answer("grad_2"), "en", 2))
    assert "grad_2 = 0.3 + 2*w_2*(-1 + w_2^2)" in grad and not re.search(r"\bs\b", grad)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_local_minima_choices_are_explained_with_the_minima_and_their_depths(lang, seed):
    fam = get_family("local_minima")
    v = canonical(fam) if seed is None else quiz_variant(fam, seed)
    a, s, w0 = (float(v.params[k]) for k in ("a", "s", "w0"))
    roots = np.sort(np.roots([2, 0, -2 * a, s]).real)  # L'(w) = 2w(w^2 - a) + s
    depth = 0.5 * (roots**2 - a) ** 2 + s * roots
    worked = Worked(v)
    where = "\n".join(line.text for line in worked_lines(worked, fam.answer("minimum"), lang))
    for root in roots:
        assert f"{root:.3g}" in where, (root, where)
    assert f"{w0:g}" in where
    globally = "\n".join(line.text for line in worked_lines(worked, fam.answer("global"), lang))
    assert f"{depth[0]:.3g}" in globally and f"{depth[2]:.3g}" in globally
    hint_idea = hint(worked, fam.answer("minimum"), lang, 1)
    assert "grad_2" not in _text(hint_idea) and "w_3 = " not in _text(hint_idea)


def test_delta_w_is_typeset_as_a_change_not_an_error_term():
    assert tex_name("delta_w") == r"\Delta w"
    assert tex_name("delta_o1") == r"\delta_{o_{1}}"
    v = canonical(get_family("gradient_meaning"))
    (line,) = worked_lines(Worked(v), v.family.answer("delta_w"))
    assert line.tex.startswith(r"\Delta w = ")


@pytest.mark.parametrize("lang", LANGS)
def test_hints_are_graduated_idea_formula_numbers(lang):
    v = canonical(get_family("backprop_222"))
    worked, key = Worked(v), answer_key(v)
    session = new_session(v, lang)
    shown = []
    for _ in range(4):
        session, h = quiz.use_hint(session, worked, "delta_o1")
        shown.append(h)
    assert [h.level for h in shown] == [1, 2, 3, 3] and shown[0].levels == 3
    assert not shown[0].lines, "the idea names the inputs, no formula yet"
    assert "o1" in shown[0].lead and "t1" in shown[0].lead
    assert shown[1].lines[0].text == "delta_o1 = o1*(1 - o1)*(o1 - t1)"
    numbers = shown[2].lines[0].text
    assert numbers.startswith("delta_o1 = o1*(1 - o1)*(o1 - t1) = 0.751365*(1 - 0.751365)*(0.751365 - 0.01)")
    assert f"{key['delta_o1'].value:.4f}"[:6] not in numbers, "the numbers hint stops before the value"
    assert session.state("delta_o1").hints == 4


def test_s_reveals_one_answer_and_the_rest_of_the_step_is_still_asked():
    v = canonical(get_family("backprop_222"))
    session = new_session(v)
    session, shown = quiz.reveal(session, Worked(v), "h1_in")
    assert [line.text.split(" = ")[0] for line in shown.lines] == ["h1_in"]
    assert session.state("h1_in").outcome == "shown" and session.current == "h2_in"
    assert not session.state("h2_in").done


def test_a_stopped_session_replays_to_the_same_state():
    v = quiz_variant(get_family("gd_linear"), 4)
    expected, key = expectation(v), answer_key(v)
    session = new_session(v)
    session, _ = quiz.submit(session, expected, "dE_dw_expr", "x*(w*x - t)")
    session, _ = quiz.submit(session, expected, "pred_1", "12345")
    session, _ = quiz.use_hint(session, Worked(v), "pred_1")
    again = quiz.replay(new_session(v), expected, session.states)
    assert [(s.id, s.outcome, s.hints, s.value) for s in again.states] == \
        [(s.id, s.outcome, s.hints, s.value) for s in session.states]
    assert again.current == "pred_1" and key["pred_1"].value != 12345


def test_the_chinese_glosses_of_the_statement_are_accepted_as_answers():
    from grader.core.grading import Settings, grade

    cases = {"gd_linear": {"regime": [("单调收敛", "correct"), ("发散", "incorrect"), ("monotone", "correct")]},
             "local_minima": {"minimum": [("右", "correct"), ("左边", "incorrect")],
                              "global": [("否", "correct"), ("是", "incorrect")]}}
    for name, answers in cases.items():
        v = canonical(get_family(name))
        statement = v.family.statement(v.params, "zh")
        expected = expectation(v)
        for answer_id, tries in answers.items():
            for given, status in tries:
                assert given in statement or given.rstrip("边") in statement, (name, given)
                result = grade(expected, {answer_id: given}, Settings(selected=(answer_id,)), "zh").answer(answer_id)
                assert result.status == status, (name, answer_id, given, result.feedback)


def test_notebook_takes_chinese_step_names_and_gives_another_one_like_this():
    from grader import quiz as notebook

    q = notebook.start("backprop_222", canonical=True, lang="zh")
    shown = q.solution("隐藏层误差项")
    assert shown.steps[0].step == "hidden deltas" and "delta_h1 = " in str(shown)
    fresh = notebook.start("gd_linear", canonical=True).another()
    assert "Solve a step first" in str(fresh)
    q = notebook.start("gd_linear", canonical=True)
    assert q.check("dE_dw_expr", "x*(w*x - t)").correct
    again = q.another(seed=5)
    assert again.answers == ("dE_dw_expr",) and again.seed == 5 and again.variant != q.variant


def test_explanations_in_a_notebook_are_sentences_with_typeset_formulas():
    from grader.quiz import render

    v = canonical(get_family("gradient_meaning"))
    worked = Worked(v)
    shown = render.solution_html(solution(worked, "sensitivity", (v.family.answer("q2"),), "zh"))
    assert "$$" not in shown, "a sentence is not put inside display maths"
    assert r"$\Delta E \approx" in shown and "<code>q2</code>" in shown and "`" not in shown
    formula = render.solution_html(solution(worked, "sign and size", (v.family.answer("delta_w"),)))
    assert r"$$\Delta w = " in formula


def test_chinese_feedback_has_no_english_words():
    from grader.core.grading import Settings, grade

    v = canonical(get_family("gd_linear"))
    wrong = grade(expectation(v), {"w_1": "0.9"}, Settings(selected=("w_1",)), "zh").answer("w_1")
    assert wrong.status == "incorrect" and "相对误差 1%" in wrong.feedback
    assert not re.search(r"[A-Za-z]{3,}", wrong.feedback), wrong.feedback
