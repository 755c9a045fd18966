"""Instructor overrides: ``overrides.csv`` merged into the graded rows.

Pure: the file's text in, typed overrides out; a graded row in, the row with its overrides
applied out. The file lives with the assignment (not in the output folder), so grading the
class again applies it again: an override is never lost to a re-grade.

``overrides.csv`` (UTF-8; a header with these five columns)::

    student,question,answer,points,reason
    s002,q1,w_2,1,"right method, slip in copying w_1 (checked by hand)"
    s003,q3,total,6,"sandbox time-out on a loaded machine; re-run by hand"

``answer`` is an answer id of the question (for a code question, a hidden test's name), or
``total`` to set the question's points. ``points`` is between 0 and what the answer (or
question) is worth. Every line that cannot be used is reported with its line number and the
reason, and nothing is graded until the file is right.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from grader.core.grading import Result
from grader.course.assignment import Assignment, Question
from grader.course.code_results import CodeQuestionResult, CodeTestResult
from grader.course.question_kinds import question_kind
from grader.course.rows import Row
from grader.text.messages import localized
from grader.text.numbers import points_text

COLUMNS = ("student", "question", "answer", "points", "reason")
TOTAL = "total"

MESSAGES: dict[str, dict[str, str]] = {
    "columns": {"en": "{file}: the header must have the columns {columns}; it has {found}",
                "zh": "{file}:表头必须包含列 {columns};现有 {found}"},
    "line": {"en": "{file}, line {line}: {problem}", "zh": "{file} 第 {line} 行:{problem}"},
    "student": {"en": "student {student!r} is not on the roster", "zh": "学生 {student!r} 不在名单中"},
    "question": {"en": "question {question!r} is not in the assignment; questions: {known}",
                 "zh": "作业中没有题目 {question!r};现有题目:{known}"},
    "answer": {"en": "question {question} has no answer {answer!r}; answers: {known}, or total",
               "zh": "第 {question} 题没有答案 {answer!r};可用:{known},或 total"},
    "points": {"en": "points {points!r} must be a number from 0 to {max}",
               "zh": "分数 {points!r} 必须是 0 到 {max} 之间的数"},
    "reason": {"en": "the reason is blank; say why (it is shown to the student)",
               "zh": "原因为空;请写明原因(学生会看到)"},
    "twice": {"en": "{student} {question} {answer} is already overridden on line {first}",
              "zh": "{student} {question} {answer} 已在第 {first} 行修改过"},
    "feedback": {"en": "Changed by your teacher to {points} (was {before}): {reason}",
                 "zh": "老师已改为 {points} 分(原为 {before} 分):{reason}"},
    "section": {"en": "Changes by your teacher", "zh": "老师的改动"},
    "entry": {"en": "{where}: {points} points (graded {before}): {reason}",
              "zh": "{where}:{points} 分(自动评分 {before} 分):{reason}"},
    "total_of": {"en": "question {question}, total", "zh": "第 {question} 题总分"},
    "answer_of": {"en": "question {question}, {answer}", "zh": "第 {question} 题 {answer}"},
    "not_applied": {"en": "not applied: the student is not graded ({status})",
                    "zh": "未应用:该学生未评分({status})"},
    "gradebook_note": {"en": "overridden: {entries}", "zh": "已人工修改:{entries}"},
}


def text(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


class OverrideError(ValueError):
    """An overrides file that cannot be used: every problem, each with its line."""


@dataclass(frozen=True)
class Override:
    """One line of ``overrides.csv``."""

    line: int
    student: str
    question: str
    answer: str
    points: float
    reason: str


@dataclass(frozen=True)
class Applied:
    """An override as applied to a row: the points before (None when not applied) and after."""

    override: Override
    before: float | None
    after: float
    status: str = "graded"

    def describe(self, lang: str = "en") -> str:
        """One line for the report and the gradebook."""
        o = self.override
        where = (text("total_of", lang, question=o.question) if o.answer == TOTAL
                 else text("answer_of", lang, question=o.question, answer=o.answer))
        if self.before is None:
            return f"{where}: {text('not_applied', lang, status=self.status)}"
        return text("entry", lang, where=where, points=points_text(self.after), before=points_text(self.before),
                    reason=o.reason)


@dataclass(frozen=True)
class OverrideNote:
    """A graded row's note that overrides changed it (shown in the gradebook's reason column)."""

    applied: tuple[Applied, ...]

    def text(self, lang: str = "en") -> str:
        """The note in words."""
        return text("gradebook_note", lang, entries="; ".join(a.describe(lang) for a in self.applied))


@dataclass(frozen=True)
class OverriddenResult(Result):
    """A question whose total the instructor set: its answers as graded, its score as set."""

    total: float = 0.0

    @property
    def score(self) -> float:
        """The points the instructor set."""
        return self.total


@dataclass(frozen=True)
class OverriddenCodeResult(CodeQuestionResult):
    """A code question whose total the instructor set: its hidden tests as run, its score as set."""

    total: float = 0.0

    @property
    def score(self) -> float:
        """The points the instructor set."""
        return self.total


def answer_maxima(question: Question) -> dict[str, float]:
    """What each answer of a question (or hidden test of a code question) is worth."""
    return question_kind(question).answer_maxima(question)


def parse_overrides(text_: str, assignment: Assignment, students: Sequence[str], file: str = "overrides.csv",
                    lang: str = "en") -> list[Override]:
    """The overrides of a file; raises OverrideError listing every line that cannot be used."""
    reader = csv.DictReader(io.StringIO(text_.lstrip("\ufeff"), newline=""))
    found = [(f or "").strip().lower() for f in reader.fieldnames or ()]
    if not set(COLUMNS) <= set(found):
        raise OverrideError(text("columns", lang, file=file, columns=", ".join(COLUMNS), found=", ".join(found)))
    roster = set(students)
    questions = {q.id: q for q in assignment.questions}
    seen: dict[tuple[str, str, str], int] = {}
    overrides, problems = [], []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items()}
        if not any(row.get(c) for c in COLUMNS):
            continue
        problem = _problem(row, roster, questions, seen, lang)
        if problem:
            problems.append(text("line", lang, file=file, line=line, problem=problem))
            continue
        seen[(row["student"], row["question"], row["answer"])] = line
        reason = " ".join(row["reason"].split())  # one line: it goes into tables and lists
        overrides.append(Override(line, row["student"], row["question"], row["answer"], float(row["points"]), reason))
    if problems:
        raise OverrideError("\n".join(problems))
    return overrides


def _problem(row: Mapping[str, str], roster: set[str], questions: Mapping[str, Question],
             seen: Mapping[tuple[str, str, str], int], lang: str) -> str | None:
    """Why a line cannot be used, or None."""
    student, question_id, answer = row["student"], row["question"], row["answer"]
    if student not in roster:
        return text("student", lang, student=student)
    question = questions.get(question_id)
    if question is None:
        return text("question", lang, question=question_id, known=", ".join(questions))
    maxima = answer_maxima(question)
    if answer != TOTAL and answer not in maxima:
        return text("answer", lang, question=question_id, answer=answer, known=", ".join(maxima))
    top = sum(maxima.values()) if answer == TOTAL else maxima[answer]
    try:
        points = float(row["points"])
    except ValueError:
        points = math.nan
    if not (math.isfinite(points) and 0 <= points <= top):
        return text("points", lang, points=row["points"], max=points_text(top))
    if not row["reason"]:
        return text("reason", lang)
    if (student, question_id, answer) in seen:
        return text("twice", lang, student=student, question=question_id, answer=answer,
                    first=seen[(student, question_id, answer)])
    return None


def apply_overrides(row: Row, overrides: Sequence[Override], lang: str = "en") -> Row:
    """The row with its student's overrides applied (answers first, then question totals).

    A row that is not graded is returned as it is, its overrides noted as not applied.
    """
    if not overrides:
        return row
    if row.results is None:
        return replace(row, notes=row.notes + tuple(Applied(o, None, o.points, row.status).describe(lang)
                                                    for o in overrides))
    results = dict(row.results)
    applied = []
    for o in sorted(overrides, key=lambda o: (o.answer == TOTAL, o.line)):
        result = results[o.question]
        if o.answer == TOTAL:
            applied.append(Applied(o, result.score, o.points))
            results[o.question] = (OverriddenCodeResult(result.tests, total=o.points)
                                   if isinstance(result, CodeQuestionResult)
                                   else OverriddenResult(result.answers, result.copied_from, total=o.points))
            continue
        if isinstance(result, CodeQuestionResult):
            tests = tuple(_overridden_test(t, o, lang, applied) if t.name == o.answer else t for t in result.tests)
            results[o.question] = replace(result, tests=tests)
            continue
        answers = []
        for a in result.answers:
            if a.id == o.answer:
                applied.append(Applied(o, a.score, o.points))
                note = text("feedback", lang, points=points_text(o.points), before=points_text(a.score),
                            reason=o.reason)
                a = replace(a, score=o.points, feedback=f"{note}\n{a.feedback}")
            answers.append(a)
        results[o.question] = replace(result, answers=tuple(answers))
    ordered = tuple((q, results[q]) for q, _ in row.results)
    return replace(row, results=ordered, reason=OverrideNote(tuple(applied)))


def _overridden_test(test: CodeTestResult, o: Override, lang: str, applied: list[Applied]) -> CodeTestResult:
    """A hidden test with the points the instructor set and a note saying so (recorded in ``applied``)."""
    applied.append(Applied(o, test.score, o.points))
    note = text("feedback", lang, points=points_text(o.points), before=points_text(test.score), reason=o.reason)
    return replace(test, score=o.points, message=f"{note}\n{test.message}")


def applied_overrides(row: Row) -> tuple[Applied, ...]:
    """The overrides applied to a row (none if it has none)."""
    return row.reason.applied if isinstance(row.reason, OverrideNote) else ()


def not_applied(rows: Sequence[Row], overrides: Sequence[Override]) -> list[Override]:
    """The overrides that no row took (their student was not graded)."""
    lines = {a.override.line for r in rows for a in applied_overrides(r)}
    return [o for o in overrides if o.line not in lines]


def report_section(row: Row, lang: str = "en") -> str:
    """The report's section listing the teacher's changes ('' when there are none)."""
    applied = applied_overrides(row)
    if not applied:
        return ""
    return f"## {text('section', lang)}\n\n" + "\n".join(f"- {a.describe(lang)}" for a in applied) + "\n\n"


def with_report_section(markdown: str, row: Row, lang: str = "en") -> str:
    """A student's report with the teacher's changes placed before the first question."""
    section = report_section(row, lang)
    if not section:
        return markdown
    head, sep, rest = markdown.partition("\n## ")
    return f"{head}\n{section}{sep.lstrip(chr(10))}{rest}" if sep else markdown + "\n" + section


def audit_csv(rows: Sequence[Row], overrides: Sequence[Override]) -> str:
    """One audit line per override: file line, student, question, answer, before, after, reason."""
    by_line = {a.override.line: a for r in rows for a in applied_overrides(r)}  # not graded: absent
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line", "student", "question", "answer", "graded", "override", "applied", "reason"])
    for o in sorted(overrides, key=lambda o: o.line):
        a = by_line.get(o.line)
        writer.writerow([o.line, o.student, o.question, o.answer, "" if a is None else points_text(a.before),
                         points_text(o.points), "yes" if a else "no: not graded", o.reason])
    return out.getvalue()
