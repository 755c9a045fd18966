"""Reports and worked solutions: the seed's own numbers, every step checkable, safe HTML."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
import sympy

from grader.core.evaluate import exact_quantities
from grader.core.grading import Result, Settings, expectation, expectations, grade
from grader.core.variants import canonical
from grader.course.assignment import FamilyQuestion
from grader.course.report import (
    QuestionOutcome,
    _plan,
    number_tex,
    points_text,
    step_tex,
    student_report,
    tex_name,
    worked_solution,
)
from grader.families import FAMILIES
from grader.quiz import formulas
from grader.text.html import _convert, mathml, page
from tests.conftest import roster_variants


def solution(family_name: str, selected=None) -> str:
    family = FAMILIES[family_name]
    return worked_solution(FamilyQuestion("q1", family, Settings(selected=selected)), expectation(canonical(family)))


def test_seed_000_gradient_descent_reads_as_the_article_does():
    text = solution("gd_linear")
    # the article: f(x) = 0*1 = 0; E = 1/2 (0-1)^2 = 0.5; dE/dw = 1*(0-1) = -1; w <- 0 - 0.5*(-1) = 0.5 ...
    assert r"\mathrm{pred}_{1} = w_{0} x = 0 \cdot 1 = 0$$" in text
    assert r"= \frac{\left(0 - 1\right)^{2}}{2} = 0.5$$" in text
    assert r"= 1 \cdot \left(0 - 1\right) = -1$$" in text
    assert r"w_{1} = w_{0} - \eta \mathrm{grad}_{1} = 0 - 0.5 \cdot \left(-1\right) = 0.5$$" in text
    assert r"= 0.5 - 0.5 \cdot \left(-0.5\right) = 0.75$$" in text
    assert "= 0.125$$" in text


def test_seed_000_network_values_appear_in_order():
    text = solution("backprop_222")
    values = ["0.3775", "0.59327", "0.751365", "0.772928", "0.298371", "0.138499", "0.082167", "0.358916"]
    positions = [text.index(f"= {v}$$") for v in values]
    assert positions == sorted(positions)
    formula = r"\delta_{h_{1}} = h_{1} \left(1 - h_{1}\right) \left(\delta_{o_{1}} w_{5} + \delta_{o_{2}} w_{7}\right)"
    assert formula in text


def test_a_question_that_asks_little_shows_only_what_it_needs():
    text = solution("backprop_222", selected=("o1",))
    assert "o_{1} = " in text and "o_{2} = " not in text and "h_{2} = " in text and "w_{8}" not in text


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_every_step_agrees_with_exact_arithmetic_and_with_its_own_numbers(family_name):
    """The value shown is the exact value (sympy, 50 digits) rounded; and re-computing each step's
    formula from the rounded numbers shown before it lands within the rounding."""
    family = FAMILIES[family_name]
    derivation = family.derivation()
    variants = roster_variants(family_name, 12)
    for v, expected in zip(variants, expectations(family, variants), strict=True):
        exact = exact_quantities(derivation, v.params)
        shown_values = {k: float(x) for k, x in v.numbers.items()}
        for _, names in _plan(family, None):
            for name in names:
                line = step_tex(expected, name)
                shown = line.rsplit(" = ", 1)[1]
                assert shown == number_tex(_decimal(exact[name])), (name, line)
                formula = derivation.quantity(name)
                inputs = {s: sympy.Float(shown_values[str(s)]) for s in formula.free_symbols if str(s) in shown_values}
                recomputed = float(formula.xreplace(inputs).evalf(30))
                assert recomputed == pytest.approx(float(exact[name]), rel=1e-3, abs=1e-6), (name, line)
                shown_values[name] = float(re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", shown))


@pytest.mark.parametrize("name, tex", [
    ("h1_in", r"h_{1,\mathrm{in}}"), ("dE_dw5", r"\frac{\partial E}{\partial w_{5}}"),
    ("delta_o1", r"\delta_{o_{1}}"), ("w5_new", r"w_{5}^{\mathrm{new}}"), ("eta", r"\eta"),
    ("pred_1", r"\mathrm{pred}_{1}"), ("dE_dw_3", r"\frac{\partial E}{\partial w_{3}}"),
    ("dg_dx_value", r"\frac{\partial g}{\partial x}"), ("eta_max", r"\eta_{\mathrm{max}}"),
    ("x0", "x_{0}"), ("E", "E"), ("delta_L_expr", r"\delta_{L}"), ("b_1_new", r"b_{1}^{\mathrm{new}}"),
    ("delta_w", r"\Delta w"), ("dEreg_dw1", r"\frac{\partial \mathrm{Ereg}}{\partial w_{1}}"), ("E_P", "E_{P}"),
    ("v_w_1", "v_{w_{1}}"), ("order_q2", r"\mathrm{order}_{q_{2}}"),
])
def test_names_in_latex(name, tex):
    assert tex_name(name) == tex
    assert formulas.tex_name(name) == tex  # the quiz names quantities as the reports do


@pytest.mark.parametrize("value, text", [
    (Fraction(3, 4), "0.75"), (Fraction(-5, 4), "-1.25"), (Fraction(1, 3), "0.333333"), (0.0, "0"),
    (0.7513650695523157, "0.751365"), (-0.0380982, "-0.0380982"), (1.2e-5, r"1.2 \times 10^{-5}"),
    (123456789.0, r"1.23457 \times 10^{8}"), (8.0, "8"), (0.1828125, "0.182813"), (Fraction(117, 640), "0.182813"),
    (Decimal("-2.5e-9"), r"-2.5 \times 10^{-9}"),
])
def test_numbers_in_latex(value, text):
    assert number_tex(value) == text


def test_points_text():
    assert [points_text(x) for x in (2.0, 0.5, 1 / 3, 0.0, -0.0)] == ["2", "0.5", "0.3333", "0", "0"]


def test_templated_mathml_equals_a_direct_conversion():
    for latex in [r"x = 0.25", r"w_{1} = 0.5 - 0.25 \cdot \left(-1.5\right) = 1.5 \times 10^{-5}",
                  r"\frac{\left(0.751365 - 0.01\right)^{2}}{2} + 3.5x_{1.5}", r"\tfrac12 \cdot 0.5"]:
        assert mathml(latex) == _convert(latex, False)
        assert mathml(latex, True) == _convert(latex, True)


def test_a_students_text_cannot_inject_markup_or_break_the_table():
    family = FAMILIES["gd_linear"]
    expected = expectation(canonical(family))
    hostile = {"pred_1": "<script>alert(1)</script>", "E_1": "1 | 2 `x` $\\frac{1}{0}$", "w_1": "a\nb"}
    result = grade(expected, hostile)
    question = FamilyQuestion("q1", family, Settings())
    markdown = student_report(_assignment(question), "Eve <b>", [QuestionOutcome(question, expected, result)])
    html = page(markdown, "t")
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html
    row = next(line for line in markdown.splitlines() if line.startswith("| `E_1`"))
    assert row.count(" | ") == 4  # the pipe in the answer is escaped


def test_a_report_in_chinese_uses_chinese_labels():
    family = FAMILIES["gd_linear"]
    expected = expectation(canonical(family))
    question = FamilyQuestion("q1", family, Settings())
    result = grade(expected, {"w_1": "0.5"}, lang="zh")
    text = student_report(_assignment(question), "华罗庚", [QuestionOutcome(question, expected, result)], lang="zh")
    assert "得分" in text and "用你的数据求解的完整过程" in text and "未作答" in text


def test_a_not_graded_report_gives_the_reason_and_still_the_solution():
    family = FAMILIES["gd_linear"]
    question = FamilyQuestion("q1", family, Settings())
    outcome = QuestionOutcome(question, expectation(canonical(family)), None)
    text = student_report(_assignment(question), "s1", [outcome], not_graded="no submission")
    assert "**Not graded: no submission**" in text and "Worked solution" in text and "Your answers" not in text
    assert isinstance(Result(()), Result)


def _decimal(value: sympy.Expr) -> Fraction | Decimal:
    """An exact sympy number as a Fraction, or to 40 digits as a Decimal."""
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return Decimal(str(sympy.Float(value, 40)))


def _assignment(question):
    from grader.course.assignment import Assignment

    return Assignment("hw", "Homework", (question,))


def test_block_by_block_rendering_with_templates_equals_rendering_the_whole_text():
    """html.body caches blocks by their shape; the page must be what markdown-it makes of the whole, sanitised."""
    from grader.text.html import _MD, body, sanitize

    texts = []
    for name, family in FAMILIES.items():
        for v in [canonical(family), *roster_variants(name, 6)]:
            texts += [family.statement(v.params, lang) for lang in ("en", "zh")]
            expected = expectation(v)
            question = FamilyQuestion("q1", family, Settings())
            result = grade(expected, {a.id: "0.5" for a in family.answers[:3]})
            texts.append(student_report(_assignment(question), "s1", [QuestionOutcome(question, expected, result)],
                                        notes=["line 3: not read", "a | b"]))
    texts += ["- a\n- b\n\n- c\n\n  more\n\n1. x\n2. y\n\n   z\npara -0.5 and (-1.25)\n",
              "| a | b |\n|---|---|\n| `x\\|y` | 1 \\| 2 |\n| c |\n| 1 | 2 | 3 |\n", "```\ncode 0.5\n\n```\n"]
    for text in texts:
        assert body(text) == sanitize(_MD.render(text))
