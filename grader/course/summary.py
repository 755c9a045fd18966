"""The class summary: per-question means and shares correct, the most common mistakes, the
students to look at, and the score histogram (its Markdown, its alt text, its plot).

Pure: rows in, data, text and PNG bytes out.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.core.family import Family
from grader.core.mistakes import mistake_fields
from grader.course.assignment import Assignment, family_questions
from grader.course.intake import Stray
from grader.course.question_kinds import question_kind
from grader.course.rows import STATUSES, Row, question_max
from grader.course.shared_wrong import FLAGGED_EVIDENCE, SHORT_DIGITS, common_size
from grader.text.html import literal
from grader.text.messages import localized, mistake_name, mistake_text
from grader.text.numbers import points_text


@dataclass(frozen=True)
class QuestionSummary:
    """One question across the graded students."""

    id: str
    family: str
    max: float
    mean: float | None
    full_marks: float | None  # share of graded students with every answer of it correct
    answers: tuple[tuple[str, float | None], ...]  # (answer id, share correct, None with no one graded)


@dataclass(frozen=True)
class Summary:
    """The class at a glance."""

    students: int
    statuses: tuple[tuple[str, int], ...]
    max: float
    mean: float | None
    median: float | None
    scores: tuple[float, ...]
    questions: tuple[QuestionSummary, ...]
    mistakes: tuple[tuple[str, str, str, int], ...]  # (question, answer, mistake, count), most common first

    def to_json(self) -> dict:
        """JSON-ready form."""
        return {
            "students": self.students, "statuses": dict(self.statuses), "max": self.max,
            "mean": self.mean, "median": self.median,
            "questions": {q.id: {"family": q.family, "max": q.max, "mean": q.mean, "full_marks": q.full_marks,
                                 "share_correct": dict(q.answers)} for q in self.questions},
            "mistakes": [{"question": q, "answer": a, "mistake": m, "count": c} for q, a, m, c in self.mistakes],
        }


def summary(assignment: Assignment, rows: Sequence[Row], top: int = 10) -> Summary:
    """Per-question means and shares correct, the most common mistakes, the score distribution."""
    graded = [dict(r.results) for r in rows if r.results is not None]
    scores = class_scores(rows)
    questions = []
    mistakes: Counter = Counter()
    for q in assignment.questions:
        results = [g[q.id] for g in graded]
        kind = question_kind(q)
        parts, found = kind.parts(q, results)
        shares = [(part, _mean(right)) for part, right in parts]
        mistakes.update((q.id, part, mistake) for part, mistake in found)
        questions.append(QuestionSummary(
            q.id, kind.label(q), question_max(q),
            _mean([r.score for r in results]),
            _mean([r.score == r.max for r in results]), tuple(shares),
        ))
    ranked = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))[:top]
    counts = Counter(r.status for r in rows)
    return Summary(
        len(rows), tuple((s, counts[s]) for s in STATUSES if counts[s]),
        assignment_max(assignment), _mean(scores), _median(scores), scores, tuple(questions),
        tuple((q, a, m, c) for (q, a, m), c in ranked),
    )


def class_scores(rows: Sequence[Row]) -> tuple[float, ...]:
    """The graded students' scores, lowest first."""
    return tuple(sorted(r.score for r in rows if r.score is not None))


def assignment_max(assignment: Assignment) -> float:
    """The points the whole assignment is worth."""
    return sum(question_max(q) for q in assignment.questions)


def score_bins(scores: Sequence[float], top: float) -> tuple[tuple[float, float, int], ...]:
    """The score histogram's bins (low, high, students): up to 20 equal bins from 0 to ``top``.

    >>> score_bins([1, 2, 2, 4], 4)
    ((0.0, 1.0, 0), (1.0, 2.0, 1), (2.0, 3.0, 2), (3.0, 4.0, 1))
    """
    top = max(top, 1.0)
    counts, edges = np.histogram(scores, bins=min(20, max(int(top), 1)), range=(0, top))
    return tuple((float(lo), float(hi), int(c)) for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True))


def score_description(s: Summary, lang: str = "en") -> str:
    """The score histogram in words (its alt text): how many students scored in each non-empty bin."""
    if not s.scores:
        return _t("alt_no_scores", lang)
    bins = [_t("alt_bin", lang, count=c, low=points_text(lo), high=points_text(hi))
            for lo, hi, c in score_bins(s.scores, s.max) if c]
    return _t("alt_scores", lang, graded=len(s.scores), max=points_text(s.max), bins=_t("separator", lang).join(bins))


def _mean(values) -> float | None:
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 6) if values else None


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


SUMMARY_TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "{title}: class summary", "zh": "{title}:全班汇总"},
    "students": {"en": "{count} students on the roster", "zh": "名单中共 {count} 名学生"},
    "status": {"en": "Status", "zh": "状态"},
    "count": {"en": "Students", "zh": "人数"},
    "scores": {"en": "Scores", "zh": "成绩"},
    "mean_median": {"en": "Mean {mean} / {max}, median {median} / {max} ({graded} graded).",
                    "zh": "平均 {mean} / {max},中位数 {median} / {max}(已评分 {graded} 人)。"},
    "none_graded": {"en": "No submission could be graded.", "zh": "没有可评分的提交。"},
    "questions": {"en": "Questions", "zh": "各题情况"},
    "question": {"en": "Question", "zh": "题目"},
    "family": {"en": "Family", "zh": "题型"},
    "mean": {"en": "Mean", "zh": "平均分"},
    "full": {"en": "All correct", "zh": "全对比例"},
    "hardest": {"en": "Least often correct", "zh": "正确率最低的答案"},
    "mistakes": {"en": "Most common mistakes", "zh": "最常见的错误"},
    "answer": {"en": "Answer", "zh": "答案"},
    "mistake": {"en": "Mistake", "zh": "错误"},
    "no_mistakes": {"en": "No named mistake was recognised.", "zh": "没有识别出典型错误。"},
    "flagged": {"en": "Students to look at (not graded, answers matching a classmate's variant, "
                      "or wrong answers identical to a classmate's)",
                "zh": "需要查看的学生(未评分、答案与其他同学的题目吻合,或错误答案与其他同学完全相同)"},
    "shared_rule": {
        "en": "A pair is listed for identical wrong answers when they weigh at least {threshold}: an arbitrary "
              "wrong number weighs 1; a formula, a number of fewer than {digits} significant figures, a number of "
              "the statement, a shared named mistake or an answer to a question where both have the same "
              "numbers weighs ½; a value given by more than {common} students is a common mistake and is not "
              "counted; right answers never count.",
        "zh": "错误答案完全相同、且证据分至少为 {threshold} 的两名学生会被列出:一个任意的错误数值计 1 分;"
              "公式、少于 {digits} 位有效数字的数、题目中给出的数、相同的典型错误或两人数据相同的题目中的答案计 ½ 分;"
              "超过 {common} 名学生给出的同一数值视为常见错误,不计入;正确答案从不计入。",
    },
    "reason": {"en": "Reason", "zh": "原因"},
    "strays": {"en": "Files that belong to no roster student", "zh": "不属于名单中任何学生的文件"},
    "alt_scores": {"en": "Histogram of the scores of {graded} graded students, from 0 to {max}: {bins}.",
                   "zh": "已评分 {graded} 名学生的成绩直方图,从 0 到 {max}:{bins}。"},
    "alt_bin": {"en": "{count} scored {low} to {high}", "zh": "{count} 人得分在 {low} 到 {high} 之间"},
    "separator": {"en": "; ", "zh": ";"},
    "code_family": {"en": "code: {name}", "zh": "代码题:{name}"},
    "named": {"en": "{name}: {text}", "zh": "{name}:{text}"},
    "alt_no_scores": {"en": "Score histogram: no student was graded.", "zh": "成绩直方图:没有学生被评分。"},
    "status_graded": {"en": "graded", "zh": "已评分"},
    "status_missing": {"en": "missing", "zh": "未提交"},
    "status_unreadable": {"en": "unreadable", "zh": "无法读取"},
    "status_empty": {"en": "empty", "zh": "空白"},
    "status_duplicate": {"en": "duplicate", "zh": "重复提交"},
    "status_other_student": {"en": "another student's sheet", "zh": "他人的答题纸"},
    "status_wrong_assignment": {"en": "wrong assignment", "zh": "作业不符"},
    "status_grading_error": {"en": "grading error", "zh": "评分出错"},
}


def _t(key: str, lang: str, **fields: object) -> str:
    return localized(SUMMARY_TEXT, key, lang, **fields)


def share_text(value: float | None) -> str:
    """A share as a whole percentage ('40 %'), or '–' when there is none."""
    return "–" if value is None else f"{100 * value:.0f} %"


def summary_markdown(assignment: Assignment, rows: Sequence[Row], strays: Sequence[Stray],
                     plot: str | None = None, lang: str | None = None, overview: Summary | None = None) -> str:
    """The class summary as Markdown (``plot`` is the file name of the score histogram)."""
    lang = lang or assignment.lang
    s = overview or summary(assignment, rows)
    out = [f"# {_t('title', lang, title=assignment.title)}", "", _t("students", lang, count=s.students), "",
           f"| {_t('status', lang)} | {_t('count', lang)} |", "|---|---|"]
    out += [f"| {status_text(k, lang)} | {v} |" for k, v in s.statuses]
    out += ["", f"## {_t('scores', lang)}", ""]
    if s.mean is None:
        out += [_t("none_graded", lang), ""]
    else:
        out += [_t("mean_median", lang, mean=points_text(s.mean), median=points_text(s.median),
                   max=points_text(s.max), graded=len(s.scores)), ""]
    if plot:
        out += [f"![{literal(score_description(s, lang))}]({plot})", ""]
    out += [f"## {_t('questions', lang)}", "",
            f"| {_t('question', lang)} | {_t('family', lang)} | {_t('mean', lang)} | {_t('full', lang)} "
            f"| {_t('hardest', lang)} |", "|---|---|---|---|---|"]
    for q in s.questions:
        hardest = sorted(q.answers, key=lambda a: (a[1] if a[1] is not None else 2, a[0]))[:3]
        listed = ", ".join(f"`{a}` {share_text(v)}" for a, v in hardest if v is not None)
        mean = "–" if q.mean is None else f"{points_text(q.mean)} / {points_text(q.max)}"
        family = _t("code_family", lang, name=q.family.removeprefix("code: ")) if q.family.startswith("code: ") \
            else q.family
        out.append(f"| {q.id} | {family} | {mean} | {share_text(q.full_marks)} | {listed} |")
    out += ["", f"## {_t('mistakes', lang)}", ""]
    if s.mistakes:
        out += [f"| {_t('question', lang)} | {_t('answer', lang)} | {_t('mistake', lang)} | {_t('count', lang)} |",
                "|---|---|---|---|"]
        families = {question.id: question.family for question in family_questions(assignment)}
        out += [f"| {q} | `{a}` | {_cell(_mistake(m, lang, families.get(q)))} | {c} |" for q, a, m, c in s.mistakes]
    else:
        out.append(_t("no_mistakes", lang))
    flagged = [r for r in rows if r.status != "graded" or r.copied or r.shared]
    if flagged:
        out += ["", f"## {_t('flagged', lang)}", "", f"| ID | {_t('status', lang)} | {_t('reason', lang)} |",
                "|---|---|---|"]
        out += [f"| {_cell(r.student.id)} | {status_text(r.status, lang)} | {_cell(r.flags(lang))} |"
                for r in flagged]
    if any(r.shared for r in rows):
        graded = sum(r.results is not None for r in rows)
        out += ["", _t("shared_rule", lang, threshold=f"{FLAGGED_EVIDENCE:g}", digits=SHORT_DIGITS,
                       common=common_size(graded))]
    if strays:
        out += ["", f"## {_t('strays', lang)}", ""] + [f"- {_cell(x.reason.text(lang))}" for x in strays]
    return "\n".join(out) + "\n"


def status_text(status: str, lang: str = "en") -> str:
    """A row's status in words ('another student's sheet' for ``other_student``)."""
    return _t(f"status_{status}", lang) if status in STATUSES else status


def _mistake(name: str, lang: str, family: Family | None = None) -> str:
    """A mistake's name and, when the family gives every field it needs, its description."""
    fields = dict(mistake_fields(family, name)) if family is not None else {}
    try:
        return _t("named", lang, name=mistake_name(name, lang), text=mistake_text(name, lang, **fields))
    except (KeyError, IndexError):
        return mistake_name(name, lang)


def _cell(text: str) -> str:
    """Text shown as written in a Markdown table (student or roster text is never read as Markdown)."""
    return literal(text)


def score_plot(assignment: Assignment, scores: Sequence[float], top: float, lang: str = "en") -> bytes:
    """A histogram of the graded students' ``scores`` (:func:`class_scores`) out of ``top`` (:func:`assignment_max`)
    as PNG bytes (matplotlib, Agg, no timestamp), labelled in ``lang``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from grader.course.figures import cjk_figure, label

    figure = Figure(figsize=(6, 3.2), dpi=100)
    axes = figure.subplots()
    edges = [low for low, _, _ in score_bins(scores, top)] + [max(top, 1.0)]  # the alt text's bins
    axes.hist(scores, bins=edges, color="#4a78b5", edgecolor="white")
    axes.set_xlabel(label("scores_x", lang))
    axes.set_ylabel(label("scores_y", lang))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(label("scores_title", lang, assignment=assignment.id, graded=len(scores),
                         max=f"{max(top, 1.0):g}"))
    cjk_figure(figure, lang).tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
