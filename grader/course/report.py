"""A student's feedback report and worked solution, in Markdown with LaTeX.

Pure: graded results in, text out. The worked solution follows the seed articles: for every
quantity, the formula the family's derivation gives, then the student's own numbers put
into it, then the value, e.g. ``w_1 = w_0 - eta grad_1 = 0 - 0.5 * (-1) = 0.5``.

Values come from the batch evaluation that grading already did (``Expected.values``,
float64), shown to 6 significant figures; the parameters are shown exactly. Formulas are
printed once per family and filled per student, so a class of thousands renders quickly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, cast

import sympy

from grader.core.evaluate import exact_symbolic, inputs_of
from grader.core.family import Answer, Family
from grader.core.grading import AnswerResult, Expected, Result
from grader.core.variants import decimal_text
from grader.course.assignment import Assignment, FamilyQuestion, Question, asked_answers
from grader.course.question_kinds import question_kind
from grader.course.sheets import problem_statement
from grader.text.html import TEXT_SLOT, Rendered, joined, literal, with_text
from grader.text.latex import tex_name
from grader.text.messages import localized
from grader.text.numbers import points_text

if TYPE_CHECKING:  # a code question's result; grader.code (the sandbox) is not loaded for a report
    from grader.course.code_results import CodeQuestionResult, CodeTestResult

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"en": "{assignment}: feedback for {student}", "zh": "{assignment}:{student} 的反馈"},
    "score": {"en": "**Score: {score} / {max}**", "zh": "**得分:{score} / {max}**"},
    "not_graded": {"en": "**Not graded: {reason}**", "zh": "**未评分:{reason}**"},
    "sheet_notes": {"en": "Notes on your answer sheet", "zh": "关于答题纸的说明"},
    "question": {"en": "Question {id}", "zh": "第 {id} 题"},
    "question_score": {"en": "{score} / {max} points", "zh": "{score} / {max} 分"},
    "problem": {"en": "The problem", "zh": "题目"},
    "answers": {"en": "Your answers", "zh": "你的答案"},
    "col_answer": {"en": "Answer", "zh": "答案"},
    "col_test": {"en": "Test", "zh": "测试"},
    "tests": {"en": "Hidden tests", "zh": "隐藏测试"},
    "code_exercise": {"en": "Code exercise {exercise}: your file was run on hidden tests.",
                      "zh": "代码练习 {exercise}:你的文件在隐藏测试上运行。"},
    "code_no_file": {"en": "Code exercise {exercise}: no file was handed in, so the hidden tests did not run.",
                     "zh": "代码练习 {exercise}:没有提交文件,隐藏测试没有运行。"},
    "code_not_graded": {"en": "Code exercise {exercise}: graded by running your file on hidden tests.",
                        "zh": "代码练习 {exercise}:评分时在隐藏测试上运行你的文件。"},
    "code_error": {"en": "error", "zh": "出错"},
    "partly": {"en": "partly correct", "zh": "部分正确"},
    "col_given": {"en": "You wrote", "zh": "你的作答"},
    "col_verdict": {"en": "Verdict", "zh": "判定"},
    "col_points": {"en": "Points", "zh": "得分"},
    "col_feedback": {"en": "Feedback", "zh": "反馈"},
    "correct": {"en": "correct", "zh": "正确"},
    "carried": {"en": "correct (carried forward)", "zh": "正确(误差传递)"},
    "incorrect": {"en": "incorrect", "zh": "错误"},
    "invalid": {"en": "unreadable", "zh": "无法读取"},
    "missing": {"en": "missing", "zh": "未作答"},
    "solution": {"en": "Worked solution with your numbers", "zh": "用你的数据求解的完整过程"},
    "given_values": {"en": "Given", "zh": "已知"},
    "formulas": {"en": "Formulas", "zh": "公式"},
    "choices": {"en": "Choices", "zh": "选择"},
    "right_option": {"en": "{id}: the right option is **{option}**.", "zh": "{id}:正确选项是 **{option}**。"},
}


def text(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


# --- numbers and names in LaTeX ---------------------------------------------------------


def number_tex(value: float | Fraction | Decimal, digits: int = 6) -> str:
    r"""A number for a worked solution, rounded half up to 6 significant figures.

    Exact decimals with few digits are shown as they are. A float is first read as the
    decimal it stands for (its shortest repr, cleaned to 12 digits), so that 0.1828125
    computed in floating point rounds like the exact 0.1828125 does.

    >>> number_tex(Fraction(3, 4)), number_tex(0.7310585786300049), number_tex(-1.25e-7)
    ('0.75', '0.731059', '-1.25 \\times 10^{-7}')
    >>> number_tex(0.1828125), number_tex(Fraction(117, 640))
    ('0.182813', '0.182813')
    """
    if isinstance(value, Fraction):
        exact = decimal_text(value)
        if "/" not in exact and len(exact.lstrip("-").replace(".", "").lstrip("0")) <= digits:
            return exact
        with localcontext() as context:
            context.prec = 40
            value = Decimal(value.numerator) / Decimal(value.denominator)
    elif not isinstance(value, Decimal):
        if not math.isfinite(value):
            return r"\text{" + str(value) + "}"
        short = repr(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0
        if "e" not in short and len(short.lstrip("-").replace(".", "").lstrip("0")) <= digits:
            return short[:-2] if short.endswith(".0") else short  # exact as it is: 0.75, -8
        return _decimal_tex(short, digits)
    if value == 0:
        return "0"
    value = _significant(_significant(value, 12, ROUND_HALF_EVEN), digits, ROUND_HALF_UP)
    if Decimal("1e-4") <= abs(value) < Decimal(10) ** digits:
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, mantissa_digits, exponent = value.as_tuple()
    mantissa = Decimal((sign, mantissa_digits, -(len(mantissa_digits) - 1)))
    power = int(exponent) + len(mantissa_digits) - 1  # an int: the value is finite
    text = format(mantissa, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return rf"{text} \times 10^{{{power}}}"


def _decimal_tex(short: str, digits: int) -> str:
    r""":func:`number_tex` of a float's shortest repr (not zero), in integers: its digits rounded
    half even to 12 significant figures, then half up to ``digits``, as the decimal module rounds.

    >>> _decimal_tex("0.18281250000000002", 6), _decimal_tex("-1.2345675e-07", 6)
    ('0.182813', '-1.23457 \\times 10^{-7}')
    """
    negative = short[0] == "-"
    mantissa, _, power = short.lstrip("-").partition("e")
    whole, _, fraction = mantissa.partition(".")
    number = int(whole + fraction)  # the value is number * 10**exponent
    exponent = (int(power) if power else 0) - len(fraction)
    for figures, half_even in ((12, True), (digits, False)):
        cut = len(str(number)) - figures  # digits below the last significant one kept
        if cut > 0:
            number, rest = divmod(number, 10 ** cut)
            twice = 2 * rest
            if twice > 10 ** cut or (twice == 10 ** cut and (not half_even or number % 2)):
                number += 1
            exponent += cut
    text = str(number)
    adjusted = len(text) - 1 + exponent  # the power of ten of the first digit
    sign = "-" if negative else ""
    if -4 <= adjusted < digits:
        if exponent >= 0:
            return sign + text + "0" * exponent
        text = text.rjust(1 - exponent, "0")
        text = (text[:exponent] + "." + text[exponent:]).rstrip("0").rstrip(".")
        return sign + text
    mantissa = (text[0] + "." + text[1:]).rstrip("0").rstrip(".")
    return rf"{sign}{mantissa} \times 10^{{{adjusted}}}"


def _significant(value: Decimal, digits: int, rounding: str) -> Decimal:
    """``value`` rounded to ``digits`` significant figures."""
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=rounding)


DOUBLED = re.compile(r"\\left\(\\left\(([^()\\]*)\\right\) \\right\)")


def _inserted(number: str) -> str:
    """A number as it is put into a formula: negative ones and powers of ten in parentheses."""
    return rf"\left({number}\right)" if number.startswith("-") or "times" in number else number


# --- formulas, printed once per family --------------------------------------------------


SLOT = re.compile(r"@(\w+)@")


@dataclass(frozen=True)
class Template:
    """One quantity's formula in LaTeX: with names, and with a slot ``@name@`` per symbol."""

    name: str
    formula: str
    slots: str

    @cached_property
    def pieces(self) -> tuple[str, ...]:
        """``slots`` split once: fixed text at even places, a slot's symbol name at odd places."""
        return tuple(SLOT.split(self.slots))


def _latex(expr: sympy.Expr, names: Mapping[sympy.Symbol, str], dot: bool) -> str:
    tex = sympy.latex(expr, order="old", symbol_names=names, mul_symbol="dot" if dot else None)
    return tex.replace(r"\operatorname{sigmoid}", r"\sigma")


def _per_family(function):
    """Cache a function of (family, hashable arguments...) by the family's name and version."""
    store: dict = {}

    def cached(family: Family, *args):
        key = (family.name, family.version, *args)
        if key not in store:
            store[key] = function(family, *args)
        return store[key]

    cached.__doc__ = function.__doc__
    return cached


@_per_family
def _structure(family: Family) -> tuple[str, ...]:
    """Parameters that choose between a formula's branches (Piecewise conditions)."""
    found: set[str] = set()
    for _, formula in family.derivation().quantities:
        for piece in formula.atoms(sympy.Piecewise):
            for _, condition in piece.args:
                found |= {str(s) for s in condition.free_symbols}
    return tuple(sorted(found & set(family.params)))


@_per_family
def _template(family: Family, name: str, structure: tuple[tuple[str, int], ...]) -> Template:
    formula = family.derivation().quantity(name)
    if structure:
        formula = formula.xreplace({sympy.Symbol(k): sympy.Integer(v) for k, v in structure})
    symbols = sorted(formula.free_symbols, key=str)
    return Template(
        name,
        _latex(formula, {s: tex_name(str(s)) for s in symbols}, dot=False),
        _latex(formula, {s: f"@{s}@" for s in symbols}, dot=True),
    )


def _structure_of(expected: Expected) -> tuple[tuple[str, int], ...]:
    """The values of this variant's parameters that choose its formulas' branches."""
    numbers = expected.variant.numbers
    return tuple((k, int(numbers[k])) for k in _structure(expected.variant.family))


def template(expected: Expected, name: str) -> Template:
    """The formula of one quantity of this variant (branches chosen by its structure)."""
    return _template(expected.variant.family, name, _structure_of(expected))


@_per_family
def _plan(family: Family, selected: tuple[str, ...] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What a question's worked solution shows, as (step, quantities) in the family's answer order.

    Each asked numeric answer comes with the quantities it uses that were not shown yet
    (in derivation order, which is an order of computation).
    """
    derivation = family.derivation()
    names = [str(q) for q, _ in derivation.quantities]
    shown: set[str] = set()
    plan: list[tuple[str, list[str]]] = []
    for answer in family.answers:
        if answer.id not in names or (selected is not None and answer.id not in selected):
            continue
        needed = {answer.id}
        for name in reversed(names):
            if name in needed:
                needed |= set(inputs_of(derivation, name)) & set(names)
        new = [n for n in names if n in needed and n not in shown]
        shown |= needed
        if not new:
            continue
        if plan and plan[-1][0] == answer.step:
            plan[-1][1].extend(new)
        else:
            plan.append((answer.step, new))
    return tuple((step, tuple(quantities)) for step, quantities in plan)


@_per_family
def _given(family: Family, selected: tuple[str, ...] | None) -> tuple[str, ...]:
    """The parameters the worked solution uses (not those that only pick a structure)."""
    derivation = family.derivation()
    used = {p for _, names in _plan(family, selected) for n in names for p in inputs_of(derivation, n)}
    return tuple(p for p in family.params if p in used and p not in _structure(family))


@dataclass(frozen=True)
class SolutionPlan:
    """A worked solution made once per (family, selected answers, structure), filled per student.

    ``given`` are the parameters listed first; ``steps`` the family's solution steps, each with
    the formulas of the quantities it shows.
    """

    given: tuple[str, ...]
    steps: tuple[tuple[str, tuple[Template, ...]], ...]


@_per_family
def _solution_plan(family: Family, selected: tuple[str, ...] | None, structure: tuple[tuple[str, int], ...]
                   ) -> SolutionPlan:
    steps = tuple((step, tuple(_template(family, name, structure) for name in names))
                  for step, names in _plan(family, selected))
    return SolutionPlan(_given(family, selected), steps)


class _ValueTexts(dict):
    """Each parameter's and quantity's number of one variant as shown, each formatted once."""

    def __init__(self, expected: Expected):
        super().__init__()
        self.expected = expected

    def __missing__(self, name: str) -> str:
        numbers = self.expected.variant.numbers
        tex = _parameter_tex(numbers[name]) if name in numbers else _value_tex(self.expected.values[name])
        self[name] = tex
        return tex


@lru_cache(maxsize=65536)
def _parameter_tex(value: Fraction) -> str:
    """A parameter's exact value (parameters come from small grids, so this is mostly a lookup)."""
    return number_tex(value)


@lru_cache(maxsize=65536, typed=True)
def _value_tex(value: float) -> str:
    """A quantity's value (a third of a class's values recur: small grids of parameters give the same results)."""
    return number_tex(value)


def step_tex(expected: Expected, name: str, texts: dict[str, str] | None = None) -> str:
    """One line of the worked solution: name = formula = numbers = value.

    ``texts`` (:class:`_ValueTexts` of ``expected``) shares the formatted numbers between lines.
    """
    return _step_line(template(expected, name), _ValueTexts(expected) if texts is None else texts)


def _step_line(t: Template, texts: dict[str, str]) -> str:
    """A formula's line of the worked solution with the numbers of ``texts`` (see :func:`step_tex`)."""
    name = t.name
    pieces = t.pieces
    numbers = "".join(_inserted(texts[p]) if i % 2 else p for i, p in enumerate(pieces))
    if r"\left(\left(" in numbers:
        numbers = DOUBLED.sub(r"\\left(\1 \\right)", numbers)
    value = texts[name]
    parts = [tex_name(name), t.formula]
    if numbers not in (t.formula, value) and not (len(pieces) == 3 and not pieces[0] and not pieces[2]):
        parts.append(numbers)
    if value != t.formula:
        parts.append(value)
    return " = ".join(parts)


@_per_family
def _symbolic_tex(family: Family, answer_id: str, substituted: tuple[tuple[str, Fraction], ...]) -> str:
    expr = exact_symbolic(family.derivation(), {k: sympy.Rational(v.numerator, v.denominator) for k, v in substituted})[
        answer_id
    ]
    return _latex(expr, {s: tex_name(str(s)) for s in expr.free_symbols}, dot=False)


def symbolic_tex(expected: Expected, answer_id: str) -> str:
    """The key formula of a symbolic answer, with the parameters it does not keep filled in."""
    family = expected.variant.family
    numbers = expected.variant.numbers
    substituted = tuple((k, Fraction(numbers[k])) for k in _filled_in(family, answer_id) if k in numbers)
    return f"{tex_name(answer_id)} = {_symbolic_tex(family, answer_id, substituted)}"


@_per_family
def _filled_in(family: Family, answer_id: str) -> tuple[str, ...]:
    """The names of a symbolic answer's formula that it does not keep as symbols, sorted."""
    symbolic = family.derivation().symbolic[answer_id]
    return tuple(sorted({str(s) for s in symbolic.expr.free_symbols} - set(symbolic.symbols)))


def worked_solution(question: FamilyQuestion, expected: Expected, lang: str = "en") -> str:
    """The worked solution of one question, grouped by the family's solution steps."""
    plan = _solution_plan(expected.variant.family, question.settings.selected, _structure_of(expected))
    out: list[str] = []
    texts = _ValueTexts(expected)
    given = ", ".join(f"${tex_name(k)} = {texts[k]}$" for k in plan.given)
    if given:
        out += [f"**{text('given_values', lang)}:** {given}", ""]
    for step, templates in plan.steps:
        out += [f"**{step}**", ""]
        for t in templates:
            out += [f"$${_step_line(t, texts)}$$", ""]
    asked = asked_answers(question)
    for kind, (heading, lines) in WORKED_SECTIONS.items():
        answers = [a for a in asked if a.kind == kind]
        if answers:
            out += [f"**{text(heading, lang)}**", "", *lines(expected, answers, lang)]
    return "\n".join(out)


def _formula_lines(expected: Expected, answers: Sequence[Answer], lang: str) -> list[str]:
    return [line for a in answers for line in (f"`{a.id}`:", "", f"$${symbolic_tex(expected, a.id)}$$", "")]


def _choice_lines(expected: Expected, answers: Sequence[Answer], lang: str) -> list[str]:
    return [*(f"- {text('right_option', lang, id=f'`{a.id}`', option=expected.choices[a.id])}" for a in answers), ""]


# The worked solution's section of each answer kind after the steps (a heading's text key and its
# lines), by kind name; numbers are shown in the steps, and a kind missing here is shown nowhere else.
WORKED_SECTIONS: dict[str, tuple[str, Callable[[Expected, Sequence[Answer], str], list[str]]]] = {
    "symbolic": ("formulas", _formula_lines),
    "choice": ("choices", _choice_lines),
}


# --- the report -------------------------------------------------------------------------


def _code(value: str, limit: int = 80) -> str:
    """A student's text as an inline code span that cannot break the table or the page.

    The fence is one backtick longer than the longest run of backticks in the text.
    """
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if not value:
        return ""
    fence = "`" * (max(map(len, BACKTICKS.findall(value)), default=0) + 1)
    pad = " " if "`" in value else ""
    return f"{fence}{pad}{value}{pad}{fence}".replace("|", "\\|")


BACKTICKS = re.compile("`+")


@lru_cache(maxsize=16384)  # feedback sentences recur across the class
def _cell(value: str) -> str:
    """A message shown as written, its backtick-quoted parts as code (never read as other Markdown)."""
    return literal(value, code_spans=True)


def _verdict(a: AnswerResult) -> str:
    """The message key of an answer's verdict."""
    return "carried" if a.carried_forward else a.status


def answers_table(result: Result, lang: str = "en") -> str:
    """The verdict on each answer as a Markdown table.

    A feedback's first line is shown (the parser's caret picture needs a line of its own).
    """
    keys = ("col_answer", "col_given", "col_verdict", "col_points", "col_feedback")
    head = [text(k, lang) for k in keys]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for a in result.answers:
        verdict = text(_verdict(a), lang)
        feedback = _cell(a.feedback.splitlines()[0] if a.feedback else "")
        rows.append(f"| `{a.id}` | {_code(a.given)} | {verdict} | {points_text(a.score)} / {points_text(a.max)} "
                    f"| {feedback} |")
    return "\n".join(rows)


def _test_verdict(t: CodeTestResult) -> str:
    """The message key of a hidden test's verdict; a test that gave no value is an error, not unreadable."""
    if t.status == "error":
        return "code_error"
    if t.status in ("partial", "failed") and 0 < t.score < t.max:
        return "partly"
    return t.verdict


def tests_table(result: CodeQuestionResult, lang: str = "en") -> str:
    """The verdict on each hidden test of a code question as a Markdown table (its message's first line)."""
    keys = ("col_test", "col_verdict", "col_points", "col_feedback")
    head = [text(k, lang) for k in keys]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in result.tests:
        feedback = _cell(t.message.splitlines()[0] if t.message else "")
        rows.append(f"| `{t.name}` | {text(_test_verdict(t), lang)} | {points_text(t.score)} / {points_text(t.max)} "
                    f"| {feedback} |")
    return "\n".join(rows)


@dataclass(frozen=True)
class QuestionOutcome:
    """One question of one student: the variant's expectations and, if graded, the result."""

    question: Question
    expected: Expected | None  # None for a code exercise, set for a family question
    result: Result | CodeQuestionResult | None


def student_report(
    assignment: Assignment,
    student: str,
    outcomes: Sequence[QuestionOutcome],
    lang: str | None = None,
    not_graded: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The whole feedback report of one student (Markdown with LaTeX).

    ``not_graded`` is the reason when the student's submission could not be graded;
    ``notes`` are the problems found on the answer sheet.
    """
    return joined(report_lines(assignment, student, outcomes, lang, not_graded, notes)).rstrip() + "\n"


def report_lines(
    assignment: Assignment,
    student: str,
    outcomes: Sequence[QuestionOutcome],
    lang: str | None = None,
    not_graded: str | None = None,
    notes: Sequence[str] = (),
) -> list[str | Rendered]:
    """:func:`student_report` as lines, its title with its HTML when the student's name is plain
    text (for :func:`grader.text.html.page_of`)."""
    lang = lang or assignment.lang
    title = text("title", lang, assignment=literal(assignment.title), student=TEXT_SLOT)
    out: list[str | Rendered] = [with_text(f"# {title}", literal(student)), ""]
    if not_graded:
        out += [text("not_graded", lang, reason=literal(not_graded)), ""]
    else:
        score = sum(o.result.score for o in outcomes if o.result)
        total = sum(o.result.max for o in outcomes if o.result)
        out += [text("score", lang, score=points_text(score), max=points_text(total)), ""]
    if notes:
        out += [f"## {text('sheet_notes', lang)}", ""] + [f"- {_cell(n)}" for n in notes] + [""]
    for o in outcomes:
        heading = text("question", lang, id=o.question.id)
        if o.result is not None:
            heading += " — " + text(
                "question_score", lang, score=points_text(o.result.score), max=points_text(o.result.max)
            )
        section = question_kind(o.question).report_section(o.question, o.result, heading, lang)
        if section is not None:  # the kind's own section; a family question's is written here
            out += section
            continue
        question = cast(FamilyQuestion, o.question)  # the kinds without a section of their own: a family's
        expected = cast(Expected, o.expected)  # a family question's outcome always has its expectations
        out += [
            f"## {heading}",
            "",
            f"### {text('problem', lang)}",
            "",
            problem_statement(question, expected, lang).strip(),
            "",
        ]
        if isinstance(o.result, Result):
            out += [f"### {text('answers', lang)}", "", answers_table(o.result, lang), ""]
        out += [f"### {text('solution', lang)}", "", worked_solution(question, expected, lang)]
    return out

