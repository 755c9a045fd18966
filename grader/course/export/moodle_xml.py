"""Moodle XML question bank: each question of an assignment as N embedded-answer (Cloze) variants.

Per question, a ``category`` entry (``$course$/top/<assignment>/<question>``) and N questions
of type ``cloze``, each with its own numbers drawn exactly as a student's are (the variant of
student ``moodle-1``, ``moodle-2``, ...); in a Moodle quiz, "a random question from this
category" gives each student one of them. Each answer is one embedded field:

- a number: ``{w:NUMERICAL:=key:error}``, where ``error`` is the largest distance the grader
  accepts (relative, absolute or significant figures; an update such as ``w1_new`` is judged by
  its step, so the distance is that of the step);
- an option: ``{w:MULTICHOICE:=right~other~...}``;
- a formula: Moodle cannot check formulas, so the field asks for the formula's value at the
  variant's numbers (stated in the question) as a NUMERICAL field.

``w`` are the answers' points as whole numbers (scaled up together when some are fractions):
Moodle makes the sum of a Cloze question's weights its default mark, which is so the question's
points whenever they are whole numbers. The question text closes with how answers are judged
(:func:`grader.course.sheets.problem_statement`), never with an answer's own error margin, which would
give away the key's size. Math is written for Moodle's MathJax filter (``\\( \\)``, ``\\[ \\]``).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from fractions import Fraction
from html import escape

import sympy
from markdown_it import MarkdownIt

from grader.core.compare import allowed_error
from grader.core.evaluate import update_baseline
from grader.core.grading import Expected, expectations
from grader.core.kinds import is_number
from grader.core.variants import generate
from grader.course.assignment import Assignment, FamilyQuestion, asked_answers, family_questions
from grader.course.export.base import Export, Exporter, ExportError, ExportRequest, needed, say
from grader.course.sheets import problem_statement
from grader.text.messages import localized

TEXT = {
    "answers": {"en": "Your answers", "zh": "你的答案"},
    "formula_value": {
        "en": "Moodle cannot check a formula: give the value of your formula for {answer} at this "
              "problem's numbers{point} (every quantity in it computed from them).",
        "zh": "Moodle 无法检查公式:请给出你的 {answer} 公式在本题数据{point}下的值(其中各中间量都由这些数据算出)。"},
}
CLOZE_SPECIAL = re.compile(r'([}#~/"\\])')
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_MD = MarkdownIt("commonmark").enable("table")


def _t(key: str, lang: str, **fields: object) -> str:
    return localized(TEXT, key, lang, **fields)


def html(markdown: str) -> str:
    """Markdown with LaTeX as HTML for Moodle: math kept for its MathJax filter."""
    maths: list[str] = []

    def keep(match: re.Match) -> str:
        display, inline = match.groups()
        maths.append(rf"\[{display}\]" if display is not None else rf"\({inline}\)")
        return f"MATH{len(maths) - 1}END"

    rendered = _MD.render(MATH.sub(keep, markdown))
    return re.sub(r"MATH(\d+)END", lambda m: escape(maths[int(m.group(1))], quote=False), rendered)


def number(value: float) -> str:
    """A float as Moodle reads it: plain decimal or exponent notation, 15 significant digits."""
    return f"{value:.15g}"


def weights(points: list[float]) -> list[int]:
    """``points`` as whole numbers (Cloze fields take integers): themselves when they are whole,
    else all multiplied by the least common denominator.

    >>> weights([2, 1, 2]), weights([0.5, 1.5])
    ([2, 1, 2], [1, 3])
    """
    fractions = [Fraction(p).limit_denominator(1000) for p in points]
    scale = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    return [int(f * scale) for f in fractions]


def error_for(question: FamilyQuestion, expected: Expected, answer_id: str, key: float) -> float:
    """The largest |answer − key| the grader accepts for this answer (an update: for its step)."""
    tolerance = question.settings.tolerance_for(answer_id)
    number = is_number(question.family.answer(answer_id))
    baseline = update_baseline(question.family.derivation(), answer_id) if number else None
    step = key if baseline is None else key - expected.values[baseline]
    return allowed_error(step, tolerance)


def formula_point(question: FamilyQuestion, expected: Expected, answer_id: str) -> tuple[float, dict[str, float]]:
    """A formula's value at the variant's numbers, and the numbers the statement does not give.

    A symbol takes the variant's value of the same name (a parameter or a quantity), else
    that of the parameter it is sampled near, else that of its starting value (``w`` -> ``w0``).
    """
    symbolic = question.family.derivation().symbolic[answer_id]
    values = expected.values
    near = dict(symbolic.near)
    point = {}
    for symbol in sorted(symbolic.expr.free_symbols, key=str):
        name = str(symbol)
        source = next((n for n in (name, near.get(name), f"{name}0") if n and n in values), None)
        if source is None:
            raise ExportError(say("no_value", "en", question=question.id, name=name, answer=answer_id))
        point[name] = values[source]
    value = float(symbolic.expr.xreplace({sympy.Symbol(k): v for k, v in point.items()}).evalf(30))
    return value, {k: v for k, v in point.items() if k not in values}


def field(kind: str, weight: int, question: FamilyQuestion, expected: Expected, answer_id: str,
          lang: str) -> tuple[str, str]:
    """One answer's Cloze field and the sentence before it (empty unless a formula)."""
    if kind not in FIELDS:
        raise ExportError(say("no_field", "en", question=question.id, answer=answer_id, kind=kind))
    return FIELDS[kind](weight, question, expected, answer_id, lang)


def _choice_field(weight: int, question: FamilyQuestion, expected: Expected, answer_id: str,
                  lang: str) -> tuple[str, str]:
    right = expected.choices[answer_id]
    options = question.family.answer(answer_id).options
    listed = "~".join(("=" if o == right else "") + CLOZE_SPECIAL.sub(r"\\\1", o) for o in options)
    return f"{{{weight}:MULTICHOICE:{listed}}}", ""


def _formula_field(weight: int, question: FamilyQuestion, expected: Expected, answer_id: str,
                   lang: str) -> tuple[str, str]:
    key, point = formula_point(question, expected, answer_id)
    where = "".join(f", {k} = {number(v)}" for k, v in point.items())
    return _numerical(weight, question, expected, answer_id, key), _t("formula_value", lang, answer=answer_id,
                                                                       point=where)


def _number_field(weight: int, question: FamilyQuestion, expected: Expected, answer_id: str,
                  lang: str) -> tuple[str, str]:
    return _numerical(weight, question, expected, answer_id, expected.values[answer_id]), ""


def _numerical(weight: int, question: FamilyQuestion, expected: Expected, answer_id: str, key: float) -> str:
    error = error_for(question, expected, answer_id, key)
    return f"{{{weight}:NUMERICAL:={number(key)}:{number(error)}}}"


# Each answer kind's Cloze field, by kind name: (weight, question, variant, answer id, language) to the
# field and the sentence before it. A kind missing here cannot be exported to Moodle.
FIELDS: dict[str, Callable[[int, FamilyQuestion, Expected, str, str], tuple[str, str]]] = {
    "numeric": _number_field, "symbolic": _formula_field, "choice": _choice_field,
}


def cloze_text(question: FamilyQuestion, expected: Expected, lang: str) -> str:
    """The question's HTML: the statement with the variant's numbers, then one field per answer."""
    asked = asked_answers(question)
    ws = weights([question.settings.points_for(a) for a in asked])
    items = []
    for a, w in zip(asked, ws, strict=True):
        cloze, note = field(a.kind, w, question, expected, a.id, lang)
        before = f"{escape(note)}<br>" if note else ""
        items.append(f"<li>{before}<code>{escape(a.id)}</code> = {cloze}</li>")
    statement = html(problem_statement(question, expected, lang, formulas=False))
    return f"{statement}<h4>{_t('answers', lang)}</h4>\n<ul>\n" + "\n".join(items) + "\n</ul>\n"


def _text_element(parent: ET.Element, tag: str, value: str, **attributes: str) -> None:
    node = ET.SubElement(parent, tag, attributes)
    ET.SubElement(node, "text").text = value


def question_bank(assignment: Assignment, count: int, lang: str) -> bytes:
    """The Moodle XML file of ``count`` variants of every family question of ``assignment``."""
    quiz = ET.Element("quiz")
    for q in family_questions(assignment):  # Moodle's Cloze fields take a family's answers only
        category = ET.SubElement(quiz, "question", {"type": "category"})
        _text_element(category, "category", f"$course$/top/{assignment.id}/{q.id}")
        variants = generate(q.family, [assignment.key(f"moodle-{i}", q) for i in range(1, count + 1)])
        for i, expected in enumerate(expectations(q.family, variants), start=1):
            node = ET.SubElement(quiz, "question", {"type": "cloze"})
            _text_element(node, "name", f"{assignment.id} {q.id} #{i}")
            _text_element(node, "questiontext", cloze_text(q, expected, lang), format="html")
            _text_element(node, "generalfeedback", "", format="html")
            ET.SubElement(node, "penalty").text = "0"
            ET.SubElement(node, "hidden").text = "0"
            ET.SubElement(node, "idnumber").text = f"{assignment.id}-{q.id}-{i}"
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"


def build(request: ExportRequest) -> Export:
    """The question bank of an assignment: ``<assignment>_moodle.xml``."""
    assignment = needed(request.assignment, "moodle-xml", "ASSIGNMENT", request.lang)
    return Export({f"{assignment.id}_moodle.xml": question_bank(assignment, request.variants, request.lang)})


EXPORTER = Exporter(
    "moodle-xml",
    {"en": "Moodle XML question bank: --variants N Cloze variants per question",
     "zh": "Moodle XML 题库:每题 --variants N 个完形填空(Cloze)变体"},
    (),
    build,
)
