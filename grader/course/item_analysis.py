"""Item analysis of a graded class: which answers are hard, which tell strong from weak students.

Pure: graded rows (and each student's variant parameters) in, statistics and text out.

- **long table**: one line per student, question and answer (``student, question, answer,
  status, score, max, mistake, carried_forward``), ready for a spreadsheet or pandas;
- **difficulty** of an answer: the share of graded students who got its full points;
- **discrimination**: the point-biserial correlation between getting the answer right (1/0)
  and the rest of the student's score (the total without this answer), i.e. Pearson's r of
  the two; undefined (None) when everyone or no one got it right, or the rest is constant;
- **named mistakes**: per answer, each mistake the grader recognised, how many made it, who;
- **by variant**: each answer's difficulty per value of a variant feature — the right option
  of each choice answer (e.g. the η regime of ``gd_linear``) and each parameter that takes
  at most :data:`MAX_LEVELS` values in the class, with two students per value on average.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from grader.core.evaluate import exact_choices
from grader.core.grading import AnswerResult
from grader.core.variants import Variant, decimal_text, generate
from grader.course.assignment import Assignment, asked_answers, family_questions
from grader.course.code_results import CodeQuestionResult
from grader.course.rows import QuestionResult, Row
from grader.course.summary import share_text
from grader.text.html import literal
from grader.text.messages import OPTION_GLOSSES, localized, mistake_name
from grader.text.numbers import points_text

MAX_LEVELS = 6  # a parameter with more distinct values in the class is not broken down
CHOICE_LIMIT = 2000  # right options are decided exactly (up to ms each): for the first 2000 graded students
LONG_COLUMNS = ("student", "question", "answer", "status", "score", "max", "mistake", "carried_forward")


@dataclass(frozen=True)
class ItemStats:
    """One answer across the graded students."""

    question: str
    answer: str
    n: int
    max: float
    difficulty: float
    discrimination: float | None
    mistakes: tuple[tuple[str, int, tuple[str, ...]], ...]  # (mistake, count, students), most common first


@dataclass(frozen=True)
class Breakdown:
    """Difficulty of a question's answers for the students whose variant has ``feature = value``."""

    question: str
    feature: str
    value: str
    n: int
    difficulty: tuple[tuple[str, float], ...]  # (answer, share with full points)


@dataclass(frozen=True)
class ItemAnalysis:
    """The whole analysis: per-answer statistics and breakdowns by variant features."""

    items: tuple[ItemStats, ...]
    breakdowns: tuple[Breakdown, ...]


class Mark(NamedTuple):
    """One answer of a family question, or one hidden test of a code question, as an item of the analysis."""

    id: str
    status: str  # the gradebook's verdict: correct, incorrect, invalid or missing
    score: float
    max: float
    mistake: str | None
    carried_forward: bool


Item = Mark | AnswerResult  # an answer's verdict has every field of a Mark


def marks(result: QuestionResult) -> Sequence[Item]:
    """The items of a question's result: its answers' verdicts as they are, or its hidden tests
    as :class:`Mark` (no mistake, never carried forward)."""
    if isinstance(result, CodeQuestionResult):
        return [Mark(t.name, t.verdict, t.score, t.max, None, False) for t in result.tests]
    return result.answers


def long_rows(rows: Sequence[Row]) -> list[tuple]:
    """The tidy long table: one tuple per graded student, question and answer (:data:`LONG_COLUMNS`)."""
    out = []
    for row in rows:
        for question, result in row.results or ():
            out += [(row.student.id, question, a.id, a.status, a.score, a.max, a.mistake or "", a.carried_forward)
                    for a in marks(result)]
    return out


def long_csv(rows: Sequence[Row]) -> str:
    """The long table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LONG_COLUMNS)
    points: dict[float, str] = {}  # a class has few distinct points: each written once

    def text(value: float) -> str:
        found = points.get(value)
        if found is None:
            found = points[value] = points_text(value)
        return found

    for student, question, answer, status, score, top, mistake, carried in long_rows(rows):
        writer.writerow([student, question, answer, status, text(score), text(top), mistake,
                         "yes" if carried else "no"])
    return out.getvalue()


def point_biserial(right: Sequence[bool], rest: Sequence[float]) -> float | None:
    """Pearson's r between 0/1 ``right`` and ``rest``: (M1 − M0) / s · √(pq), s the population SD.

    None when it is undefined (all right, all wrong, or ``rest`` constant).
    """
    n = len(right)
    ones = [y for x, y in zip(right, rest, strict=True) if x]
    zeros = [y for x, y in zip(right, rest, strict=True) if not x]
    if not ones or not zeros:
        return None
    mean = sum(rest) / n
    sd = math.sqrt(sum((y - mean) ** 2 for y in rest) / n)
    if sd < 1e-12:
        return None
    p = len(ones) / n
    return (sum(ones) / len(ones) - sum(zeros) / len(zeros)) / sd * math.sqrt(p * (1 - p))


def item_stats(rows: Sequence[Row]) -> tuple[ItemStats, ...]:
    """Difficulty, discrimination and named mistakes of every answer, in question and answer order."""
    students: list[str] = []  # the graded students, and their totals
    totals: list[float] = []
    cells: dict[tuple[str, str], tuple[list[int], list[Item]]] = {}  # each answer's students and verdicts
    for row in rows:
        results, total = row.results, row.score
        if results is None or total is None:
            continue
        student = len(students)
        students.append(row.student.id)
        totals.append(total)
        for question, result in results:
            for a in marks(result):
                cell = cells.get((question, a.id))
                if cell is None:
                    cell = cells[question, a.id] = ([], [])
                cell[0].append(student)
                cell[1].append(a)
    items = []
    for (question, answer), (who, verdicts) in cells.items():
        right = [a.score >= a.max > 0 or (a.max == 0 and a.status == "correct") for a in verdicts]
        rest = [totals[i] - a.score for i, a in zip(who, verdicts, strict=True)]
        made: dict[str, list[str]] = defaultdict(list)
        for i, a in zip(who, verdicts, strict=True):
            if a.mistake:
                made[a.mistake].append(students[i])
        mistakes = tuple(sorted(((m, len(s), tuple(s)) for m, s in made.items()), key=lambda m: (-m[1], m[0])))
        items.append(ItemStats(question, answer, len(verdicts), max(a.max for a in verdicts),
                               sum(right) / len(right), point_biserial(right, rest), mistakes))
    return tuple(items)


def breakdowns(rows: Sequence[Row], features: Mapping[str, Mapping[str, Mapping[str, str]]]) -> tuple[Breakdown, ...]:
    """Each question's answer difficulties per value of each variant feature.

    ``features[question][student]`` maps feature names (a parameter, or ``key:answer`` for
    the right option of a choice answer) to their value for that student's variant.
    """
    out = []
    graded = [(r.student.id, dict(r.results)) for r in rows if r.results is not None]
    for question, by_student in features.items():
        names = sorted({f for values in by_student.values() for f in values})
        for feature in names:
            groups: dict[str, list[dict[str, QuestionResult]]] = defaultdict(list)
            for student, results in graded:
                value = by_student.get(student, {}).get(feature)
                if value is not None:
                    groups[value].append(results)
            if not 2 <= len(groups) <= min(MAX_LEVELS, len(graded) / 2):
                continue  # a feature of (nearly) one student per value says nothing
            for value in sorted(groups, key=_order):
                members = groups[value]
                shares = _shares([results[question] for results in members])
                out.append(Breakdown(question, feature, value, len(members), shares))
    return tuple(out)


def _order(value: str) -> tuple:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _shares(results) -> tuple[tuple[str, float], ...]:
    counts: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        for a in marks(result):
            counts[a.id].append(a.score >= a.max > 0)
    return tuple((answer, sum(v) / len(v)) for answer, v in counts.items())


def variant_features(assignment: Assignment, student_ids: Sequence[str], choice_limit: int = CHOICE_LIMIT,
                     variants: Mapping[str, Mapping[str, Variant]] | None = None
                     ) -> dict[str, dict[str, dict[str, str]]]:
    """Each family question's variant features per student: its parameters (exact decimals) and,
    for the first ``choice_limit`` students, the right option of each choice answer (``key:ANSWER``).

    ``variants`` (question id, then student id) are the students' variants when the class run
    has them already; otherwise they are generated.
    """
    features: dict[str, dict[str, dict[str, str]]] = {}
    for q in family_questions(assignment):  # the kinds with variants
        derivation = q.family.derivation()
        choices = [a.id for a in asked_answers(q) if a.id in derivation.choices]
        drawn = (generate(q.family, [assignment.key(s, q) for s in student_ids]) if variants is None
                 else [variants[q.id][s] for s in student_ids])
        features[q.id] = {}
        for i, (student, v) in enumerate(zip(student_ids, drawn, strict=True)):
            values = {k: decimal_text(x) for k, x in v.numbers.items()}
            if choices and i < choice_limit:
                right = exact_choices(derivation, v.params)
                values |= {f"key:{a}": right[a] for a in choices}
            features[q.id][student] = values
    return features


def analyse(rows: Sequence[Row], features: Mapping[str, Mapping[str, Mapping[str, str]]]) -> ItemAnalysis:
    """The item analysis of a graded class."""
    return ItemAnalysis(item_stats(rows), breakdowns(rows, features))


def items_csv(analysis: ItemAnalysis) -> str:
    """Per-answer statistics as CSV (mistakes as ``name (count: students)``, separated by ``; ``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question", "answer", "n", "max", "difficulty", "discrimination", "mistakes"])
    for i in analysis.items:
        mistakes = "; ".join(f"{m} ({c}: {' '.join(s)})" for m, c, s in i.mistakes)
        writer.writerow([i.question, i.answer, i.n, points_text(i.max), _number(i.difficulty),
                         _number(i.discrimination), mistakes])
    return out.getvalue()


def breakdown_csv(analysis: ItemAnalysis) -> str:
    """Difficulty by variant feature as a long CSV: question, feature, value, n, answer, difficulty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question", "feature", "value", "n", "answer", "difficulty"])
    for b in analysis.breakdowns:
        for answer, share in b.difficulty:
            writer.writerow([b.question, b.feature, b.value, b.n, answer, _number(share)])
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Item analysis", "zh": "题目分析"},
    "intro": {
        "en": "Difficulty: share of graded students with the answer's full points. Discrimination: "
              "point-biserial correlation with the rest of the score (above 0.3 separates strong from weak "
              "students; near 0 or negative deserves a look). Every answer is in `items.csv`, every student's "
              "answer in `answers_long.csv`.",
        "zh": "难度:得到该答案满分的已评分学生比例。区分度:与其余得分的点二列相关(高于 0.3 能区分强弱学生;"
              "接近 0 或为负值需要检查)。每个答案的统计见 `items.csv`,每名学生的每个答案见 `answers_long.csv`。"},
    "answer": {"en": "Answer", "zh": "答案"},
    "difficulty": {"en": "Difficulty", "zh": "难度"},
    "discrimination": {"en": "Discrimination", "zh": "区分度"},
    "mistakes": {"en": "Named mistakes (count: students)", "zh": "典型错误(人数:学生)"},
    "by_variant": {"en": "Difficulty by variant", "zh": "按题目变体的难度"},
    "by_intro": {
        "en": "Share of full points per answer, for the students whose variant has this feature "
              "(`key:ANSWER` is the right option of a choice answer). All in `items_by_variant.csv`.",
        "zh": "按变体特征分组的各答案满分比例(`key:答案` 表示选择题的正确选项)。完整数据见 `items_by_variant.csv`。"},
    "feature": {"en": "Feature", "zh": "特征"},
    "value": {"en": "Value", "zh": "取值"},
    "students": {"en": "Students", "zh": "人数"},
    "mean": {"en": "Mean difficulty", "zh": "平均难度"},
    "hardest": {"en": "Hardest answers", "zh": "最难的答案"},
    "plot": {
        "en": "Scatter plot of each answer's difficulty (share of students with full points, x) against its "
              "discrimination (y), with a dashed line at 0.3. {low} The tables below give every value.",
        "zh": "散点图:横轴为各答案的难度(得满分的学生比例),纵轴为区分度,虚线为 0.3。{low}下表列出全部数值。"},
    "plot_low": {"en": "Below 0.3: {answers}.", "zh": "区分度低于 0.3 的答案:{answers}。"},
    "plot_none_low": {"en": "No answer is below 0.3.", "zh": "没有区分度低于 0.3 的答案。"},
    "question": {"en": "Question {id}", "zh": "第 {id} 题"},
    "question_col": {"en": "Question", "zh": "题目"},
    "glossed": {"en": "{value}", "zh": "{value}({gloss})"},
}


GLOSS = {option: gloss for gloss, option in reversed(OPTION_GLOSSES.items())}  # an option's first Chinese gloss


def _t(key: str, lang: str, **fields: object) -> str:
    return localized(TEXT, key, lang, **fields)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def item_markdown(analysis: ItemAnalysis, plot: str | None = None, lang: str = "en", listed: int = 5) -> str:
    """The item analysis section of the class summary (``plot``: the file name of the scatter plot)."""
    out = [f"## {_t('title', lang)}", "", _t("intro", lang), ""]
    if plot:
        out += [f"![{literal(plot_description(analysis, lang))}]({plot})", ""]
    for question in dict.fromkeys(i.question for i in analysis.items):
        out += [f"### {_t('question', lang, id=question)}", "",
                f"| {_t('answer', lang)} | {_t('difficulty', lang)} | {_t('discrimination', lang)} "
                f"| {_t('mistakes', lang)} |", "|---|---|---|---|"]
        for i in (i for i in analysis.items if i.question == question):
            made = "; ".join(f"{mistake_name(m, lang)} ({c}: {', '.join(s[:listed])}{', …' if len(s) > listed else ''})"
                             for m, c, s in i.mistakes)
            r = "–" if i.discrimination is None else f"{i.discrimination:.2f}"
            out.append(f"| `{i.answer}` | {share_text(i.difficulty)} | {r} | {_cell(made)} |")
        out.append("")
    if analysis.breakdowns:
        out += [f"### {_t('by_variant', lang)}", "", _t("by_intro", lang), "",
                f"| {_t('question_col', lang)} | {_t('feature', lang)} | {_t('value', lang)} "
                f"| {_t('students', lang)} | {_t('mean', lang)} | {_t('hardest', lang)} |",
                "|---|---|---|---|---|---|"]
        for b in analysis.breakdowns:
            mean = sum(s for _, s in b.difficulty) / len(b.difficulty) if b.difficulty else None
            ranked = sorted(b.difficulty, key=lambda x: (x[1], x[0]))[:3]
            hardest = ", ".join(f"`{a}` {share_text(s)}" for a, s in ranked)
            value = _cell(_t("glossed", lang, value=b.value, gloss=GLOSS[b.value]) if b.value in GLOSS else b.value)
            out.append(f"| {b.question} | `{b.feature}` | {value} | {b.n} | {share_text(mean)} | {hardest} |")
        out.append("")
    return "\n".join(out) + "\n"


def plot_description(analysis: ItemAnalysis, lang: str = "en") -> str:
    """The scatter plot in words (its alt text): what it shows and which answers discriminate below 0.3."""
    low = [f"{i.question} {i.answer} ({i.discrimination:.2f})" for i in analysis.items
           if i.discrimination is not None and i.discrimination < 0.3]
    said = _t("plot_low", lang, answers=", ".join(low)) if low else _t("plot_none_low", lang)
    return _t("plot", lang, low=said)


def item_plot(analysis: ItemAnalysis, lang: str = "en") -> bytes:
    """Difficulty (x) against discrimination (y), one labelled point per answer, as PNG bytes (labels in ``lang``)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from grader.course.figures import cjk_figure, label

    figure = Figure(figsize=(7, 4.2), dpi=100)
    axes = figure.subplots()
    questions = list(dict.fromkeys(i.question for i in analysis.items))
    for n, question in enumerate(questions):
        points: list[tuple[str, float, float]] = []
        for i in analysis.items:
            if i.question == question and i.discrimination is not None:
                points.append((i.answer, i.difficulty, i.discrimination))
        xs = [x for _, x, _ in points]
        ys = [y for _, _, y in points]
        axes.scatter(xs, ys, label=question, color=f"C{n % 10}", s=18)
        for answer, x, y in points:
            axes.annotate(answer, (x, y), fontsize=6, xytext=(2, 2),
                          textcoords="offset points")
    axes.axhline(0.3, color="#999999", linewidth=0.8, linestyle="--")
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(-1.05, 1.05)
    axes.set_xlabel(label("items_x", lang))
    axes.set_ylabel(label("items_y", lang))
    if questions:
        axes.legend(fontsize=7, loc="lower left")
    cjk_figure(figure, lang).tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
