"""From submitted files to gradebook rows and a class summary.

Pure: the files arrive already read (:class:`Incoming`), rows and summaries leave as data
and text. The rules that make the gradebook trustworthy live here:

- every roster student gets exactly one :class:`Row`: graded, or flagged with the reason
  (no submission, unreadable file, empty sheet, two files, another student's sheet, a
  sheet of another assignment);
- every file that belongs to no roster student is listed as a :class:`Stray` with the
  reason, never dropped;
- orders are sorted or follow the roster, so identical inputs give identical outputs.

A file belongs to the student its ``student:`` line names, else to the student its file
name names (``s001.txt``). A sheet whose ``student:`` line names someone other than its
file name is flagged for the file name's student: it carries another student's variant.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import PurePosixPath
from typing import Protocol

import numpy as np

from grader.code import CodeResult
from grader.code.exercises import hidden_tests
from grader.core.family import Family
from grader.core.grading import AnswerResult, Classmates, Expected, Result, Status, grade
from grader.core.mistakes import mistake_fields
from grader.course.assignment import Assignment, CodeQuestion, FamilyQuestion, Question, asked_answers
from grader.course.roster import Student, file_stem
from grader.course.shared_wrong import FLAGGED_EVIDENCE, SHORT_DIGITS, SharedPair, common_size
from grader.course.sheets import Decoded, Problem, Sheet, asked_ids, parse_sheet
from grader.text.html import literal
from grader.text.messages import localized, mistake_name, mistake_text
from grader.text.numbers import points_text

CODE_SUFFIXES = (".py",)  # code exercises (graded by grader.code, issue 7), not answer sheets

MESSAGES: dict[str, dict[str, str]] = {
    "graded": {"en": "graded", "zh": "已评分"},
    "missing": {"en": "no submission", "zh": "未提交"},
    "binary": {"en": "{file} is not a text file (binary content); submit the .txt answer sheet",
               "zh": "{file} 不是文本文件(二进制内容);请提交 .txt 答题纸"},
    "too_large": {"en": "{file} is {size} MB; an answer sheet is at most 1 MB",
                  "zh": "{file} 有 {size} MB;答题纸最大 1 MB"},
    "io_error": {"en": "{file} could not be read ({error})", "zh": "无法读取 {file}({error})"},
    "empty": {"en": "{file} has no answers", "zh": "{file} 中没有任何答案"},
    "duplicate": {"en": "{count} files for this student ({files}); keep one and grade again",
                  "zh": "该学生有 {count} 个文件({files});请只保留一个后重新评分"},
    "other_student": {
        "en": "{file} is the answer sheet of student {other} (its student line); these are answers "
              "to another student's variant",
        "zh": "{file} 是学生 {other} 的答题纸(见其 student 行);这些是对另一名学生题目的作答",
    },
    "wrong_assignment": {"en": "{file} is an answer sheet of assignment {other}, not {assignment}",
                         "zh": "{file} 是作业 {other} 的答题纸,而不是 {assignment} 的"},
    "unknown_student": {
        "en": "{file}: student {student} is not on the roster",
        "zh": "{file}:学生 {student} 不在名单中",
    },
    "no_student": {
        "en": "{file}: neither its name nor a student line names a student of the roster",
        "zh": "{file}:文件名和 student 行都没有指明名单中的学生",
    },
    "hidden": {"en": "{file}: hidden file, not read", "zh": "{file}:隐藏文件,未读取"},
    "symlink": {"en": "{file} is a symbolic link; links are not followed: hand in the file itself",
                "zh": "{file} 是符号链接;评分程序不跟随链接:请提交文件本身"},
    "bad_name": {"en": "{file}: the file name is not valid UTF-8; rename the file and grade again",
                 "zh": "{file}:文件名不是有效的 UTF-8;请重命名后重新评分"},
    "special": {"en": "{file} is not a regular file (a device, pipe or socket); not read",
                "zh": "{file} 不是普通文件(设备、管道或套接字);未读取"},
    "folder": {"en": "{file}: a folder; submissions are read from the top level only",
               "zh": "{file}:这是文件夹;只读取最上层的提交文件"},
    "code_not_asked": {"en": "{file}: this assignment has no code question",
                       "zh": "{file}:本次作业没有代码题"},
    "code_which": {"en": "{file}: this assignment has several code questions; name the file {example}",
                   "zh": "{file}:本次作业有多道代码题;请把文件命名为 {example}"},
    "line": {"en": "line {line}: {text}", "zh": "第 {line} 行:{text}"},
    "no_code_file": {"en": "No file handed in.", "zh": "没有提交文件。"},
    "copied_note": {
        "en": "Question {question}: your answers match another student's variant far better than your own, "
              "so no carried-forward credit was given; your teacher will look at it.",
        "zh": "第 {question} 题:你的答案与另一名学生的题目数值吻合得远比与你自己的好,因此不给沿用前面错误的分数;"
              "老师会进一步查看。",
    },
    "copied_flag": {"en": "answers of {question} match the variant of {other}",
                    "zh": "{question} 题的答案与 {other} 的题目数值吻合"},
    "shared_flag": {"en": "{count} wrong answers identical to {other}'s (evidence {evidence}): {values}",
                    "zh": "有 {count} 个错误答案与 {other} 的完全相同(证据分 {evidence}):{values}"},
    "shared_more": {"en": "and {count} more", "zh": "另有 {count} 个"},
    "timeout": {
        "en": "grading this submission took more than {seconds} s and was stopped; the rest of the class was "
              "graded: look at the sheet (a huge formula?) and grade again, with a larger --student-time-limit "
              "if it is honest",
        "zh": "该提交的评分超过 {seconds} 秒,已被中止;全班其余同学已评分:请检查答题纸(是否有超大的公式?),"
              "如属正常可用更大的 --student-time-limit 重新评分",
    },
    "grading_error": {
        "en": "the grader failed on this submission ({error}); nothing was lost: report it and grade again",
        "zh": "评分程序处理该提交时出错({error});提交未丢失:请报告此问题后重新评分",
    },
}
STATUSES = ("graded", "missing", "unreadable", "empty", "duplicate", "other_student", "wrong_assignment",
            "grading_error")


def gradebook_message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


@dataclass(frozen=True)
class Reason:
    """Why a row is flagged or a file set aside: a message key and its fields."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The reason in words."""
        return gradebook_message(self.key, lang, **dict(self.fields))


class Note(Protocol):
    """What a row's reason column says: a :class:`Reason`, or the note of applied overrides."""

    def text(self, lang: str = "en") -> str:
        """The note in words."""
        ...


@dataclass(frozen=True)
class Incoming:
    """One entry of the submissions folder as read: its name and its decoded text.

    ``kind`` is ``"file"``, ``"folder"``, ``"symlink"``, ``"special"`` or ``"bad_name"`` (these
    three are not read), or
    ``"error"`` (``error`` then says why).
    """

    name: str
    decoded: Decoded | None = None
    kind: str = "file"
    error: str = ""
    size: int = 0


@dataclass(frozen=True)
class Submission:
    """What one roster student handed in, and whether it can be graded."""

    student: Student
    status: str
    files: tuple[str, ...] = ()
    reason: Reason | None = None
    sheet: Sheet | None = None
    notes: tuple[Problem, ...] = ()
    code_files: tuple[tuple[str, str], ...] = ()  # (question id, file name) of code exercises


@dataclass(frozen=True)
class Stray:
    """A file that belongs to no roster student, with the reason."""

    file: str
    reason: Reason


def intake(
    assignment: Assignment, students: Sequence[Student], incoming: Sequence[Incoming]
) -> tuple[list[Submission], list[Stray]]:
    """Match submitted files to roster students: one :class:`Submission` per student, in roster order."""
    ids = {s.id for s in students}
    stems = {file_stem(s.id): s.id for s in students}
    folded: dict[str, list[str]] = {}
    for s in students:
        folded.setdefault(s.id.lower(), []).append(s.id)

    def on_roster(name: str | None) -> str | None:
        if name is None:
            return None
        if name in ids:
            return name
        if name in stems:
            return stems[name]
        found = folded.get(name.lower(), [])
        return found[0] if len(found) == 1 else None

    questions = asked_ids(assignment)
    sheets: dict[str, list[tuple[Incoming, Sheet | None, Reason | None]]] = {}
    code: dict[str, list[tuple[str, str]]] = {}
    refused: dict[str, list[Incoming]] = {}  # links and special files, never read
    strays: list[Stray] = []
    for item in sorted(incoming, key=lambda i: i.name):
        path = PurePosixPath(item.name)
        if item.kind == "folder":
            strays.append(Stray(item.name, Reason("folder", (("file", item.name),))))
            continue
        if path.name.startswith("."):
            strays.append(Stray(item.name, Reason("hidden", (("file", item.name),))))
            continue
        if item.kind in ("symlink", "special", "bad_name"):
            owner = on_roster(path.stem) or on_roster(path.stem.rsplit("_", 1)[0])
            if owner is None:
                strays.append(Stray(item.name, Reason(item.kind, (("file", item.name),))))
            else:
                refused.setdefault(owner, []).append(item)
            continue
        if path.suffix.lower() in CODE_SUFFIXES:
            found = _code_owner(assignment, item.name, on_roster)
            if isinstance(found, Reason):
                strays.append(Stray(item.name, found))
            else:
                code.setdefault(found[0], []).append((found[1], item.name))
            continue
        by_name = on_roster(path.stem)
        sheet = None
        if item.decoded is not None and item.decoded.text is not None:
            sheet = parse_sheet(item.decoded.text, questions)
        header = sheet.student if sheet else None
        by_header = on_roster(header)
        owner = by_name or by_header
        conflict = None
        if header and by_name and by_header != by_name:
            conflict = Reason("other_student", (("file", item.name), ("other", header)))
        if owner is None:
            fields = (("file", item.name), ("student", header or path.stem))
            strays.append(Stray(item.name, Reason("unknown_student" if header else "no_student", fields)))
            continue
        sheets.setdefault(owner, []).append((item, sheet, conflict))
    return [_refused(s, refused[s.id]) if s.id in refused else
            _submission(assignment, s, sheets.get(s.id, []), tuple(code.get(s.id, ()))) for s in students], strays


def _refused(student: Student, items: Sequence[Incoming]) -> Submission:
    """The row of a student who handed in a link or a special file: not graded, with the reason."""
    first = items[0]
    return Submission(student, "unreadable", tuple(i.name for i in items), Reason(first.kind, (("file", first.name),)))


def _code_owner(assignment: Assignment, name: str, on_roster) -> tuple[str, str] | Reason:
    """(student, code question) of a .py file named ``<id>.py``, or ``<id>_<question>.py`` when
    the assignment has several code questions; else the reason it is set aside."""
    stem = PurePosixPath(name).stem
    questions = [q.id for q in assignment.questions if isinstance(q, CodeQuestion)]
    student = on_roster(stem)
    if student and len(questions) == 1:
        return student, questions[0]
    for q in questions:
        for separator in ("_", ".", "-"):
            if stem.endswith(separator + q) and on_roster(stem[: -len(q) - 1]):
                return on_roster(stem[: -len(q) - 1]), q
    if not questions:
        return Reason("code_not_asked", (("file", name),))
    if student:
        return Reason("code_which", (("file", name), ("example", f"{student}_{questions[0]}.py")))
    return Reason("unknown_student", (("file", name), ("student", stem)))


def _submission(assignment: Assignment, student: Student, files, code_files) -> Submission:
    names = tuple(item.name for item, _, _ in files)
    code_names = tuple(f for _, f in code_files)
    per_question = Counter(q for q, _ in code_files)
    if len(files) > 1 or any(n > 1 for n in per_question.values()):
        all_names = names + code_names
        reason = Reason("duplicate", (("count", len(all_names)), ("files", ", ".join(all_names))))
        return Submission(student, "duplicate", all_names, reason, code_files=code_files)
    if not files:
        if not code_files:
            return Submission(student, "missing", (), Reason("missing"))
        has_sheet = any(isinstance(q, FamilyQuestion) for q in assignment.questions)
        notes = (Problem(0, "no_sheet"),) if has_sheet else ()
        return Submission(student, "graded", code_names, sheet=Sheet(None, None, {}), notes=notes,
                          code_files=code_files)
    item, sheet, conflict = files[0]
    names += code_names
    if sheet is None:
        return Submission(student, "unreadable", names, _unreadable(item), code_files=code_files)
    notes = (item.decoded.note,) if item.decoded.note else ()
    common = {"files": names, "sheet": sheet, "notes": notes, "code_files": code_files}
    if conflict:
        return Submission(student, "other_student", reason=conflict, **common)
    if sheet.assignment and sheet.assignment.strip().lower() != assignment.id.lower():
        reason = Reason("wrong_assignment", (("file", item.name), ("other", sheet.assignment),
                                             ("assignment", assignment.id)))
        return Submission(student, "wrong_assignment", reason=reason, **common)
    if sheet.empty and not code_files:
        return Submission(student, "empty", reason=Reason("empty", (("file", item.name),)), **common)
    return Submission(student, "graded", **common)


def _unreadable(item: Incoming) -> Reason:
    if item.kind == "error":
        return Reason("io_error", (("file", item.name), ("error", item.error)))
    if item.decoded is not None and item.decoded.reason == "too_large":
        return Reason("too_large", (("file", item.name), ("size", f"{item.size / 1e6:.1f}")))
    return Reason("binary", (("file", item.name),))


# --- grading one student ----------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One gradebook row: a roster student, graded or flagged.

    ``results`` holds (question id, result) pairs when graded; ``maxima`` the points each
    question is worth; ``notes`` what the student's report must say about the sheet;
    ``copied`` flags (question id, classmate) where the answers match that classmate's variant;
    ``shared`` the pairs whose sheets share many wrong values with this one (:mod:`grader.course.shared_wrong`).
    """

    student: Student
    status: str
    files: tuple[str, ...] = ()
    reason: Note | None = None
    results: tuple[tuple[str, Result], ...] | None = None
    maxima: tuple[tuple[str, float], ...] = ()
    notes: tuple[str, ...] = ()
    copied: tuple[tuple[str, str], ...] = ()
    shared: tuple[SharedPair, ...] = ()

    def flags(self, lang: str = "en") -> str:
        """Why the row needs the teacher's look: the reason it was not graded (or the teacher's
        overrides), any copied answers, and any wrong answers shared with a classmate."""
        parts = [self.reason.text(lang)] if self.reason else []
        parts += [gradebook_message("copied_flag", lang, question=q, other=o) for q, o in self.copied]
        parts += [shared_text(p, self.student.id, lang) for p in self.shared]
        return "; ".join(parts)

    @property
    def score(self) -> float | None:
        """Points earned, or None when the row is not graded."""
        return None if self.results is None else sum(r.score for _, r in self.results)

    @property
    def max(self) -> float:
        """Points available."""
        return sum(m for _, m in self.maxima)


SHOWN_VALUES = 6  # shared values listed in a flag; the rest are counted
SHOWN_CHARACTERS = 40  # of each value (a formula may be long)


def shared_text(pair: SharedPair, student: str, lang: str = "en") -> str:
    """A flag for wrong answers shared with a classmate, with the evidence (which answers, which values)."""
    values = [f"{v.question}.{v.answer} = {_shortened(v.value)}" for v in pair.values[:SHOWN_VALUES]]
    if len(pair.values) > SHOWN_VALUES:
        values.append(gradebook_message("shared_more", lang, count=len(pair.values) - SHOWN_VALUES))
    return gradebook_message("shared_flag", lang, other=pair.other(student), count=len(pair.values),
                             evidence=f"{pair.evidence:g}", values=", ".join(values))


def _shortened(text: str) -> str:
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"


def question_max(question: Question) -> float:
    """The points a question is worth."""
    if isinstance(question, CodeQuestion):
        return _code_max(question.exercise)
    return sum(question.settings.points_for(a) for a in asked_answers(question))


@cache
def _code_tests(exercise: str) -> tuple[tuple[str, float], ...]:
    """(name, points) of an exercise's hidden tests (built once: a class without files asks per student)."""
    return tuple((t.name, float(t.points)) for t in hidden_tests(exercise, None))


def _code_max(exercise: str) -> float:
    return sum(points for _, points in _code_tests(exercise))


CODE_STATUS: dict[str, Status] = {
    "passed": "correct", "partial": "incorrect", "failed": "incorrect", "error": "invalid",
}


def code_result(result: CodeResult) -> Result:
    """A code exercise's hidden tests as answers: each test's verdict, points and message."""
    return Result(tuple(
        AnswerResult(t.name, CODE_STATUS[t.status], t.score, t.max, f"{t.title}: {t.message}".rstrip(": "))
        for t in result.tests
    ))


def missing_code(question: CodeQuestion, lang: str = "en") -> Result:
    """The result of a code question whose file was not handed in: every test missing."""
    return Result(tuple(
        AnswerResult(name, "missing", 0.0, points, gradebook_message("no_code_file", lang))
        for name, points in _code_tests(question.exercise)
    ))


def grade_sheet(
    question: FamilyQuestion, expected: Expected, sheet: Sheet, lang: str = "en", others: Classmates | None = None
) -> Result:
    """Grade one question of a sheet; answers the sheet lost are invalid with their line number.

    ``others`` (the class's keys of this question) lets answers copied from a classmate be flagged.
    """
    result = grade(expected, sheet.answers.get(question.id, {}), question.settings, lang, others)
    answers = []
    for a in result.answers:
        problem = sheet.invalid.get((question.id, a.id))
        line = sheet.lines.get((question.id, a.id))
        if problem is not None:
            a = AnswerResult(a.id, "invalid", 0.0, a.max, problem.text(lang), given=a.given)
        elif a.status == "invalid" and line:
            a = replace(a, feedback=gradebook_message("line", lang, line=line, text=a.feedback))
        answers.append(a)
    return Result(tuple(answers), result.copied_from)


def grade_submission(
    assignment: Assignment, submission: Submission, expected: Mapping[str, Expected], lang: str | None = None,
    code: Mapping[str, Result] | None = None, others: Mapping[str, Classmates] | None = None,
) -> Row:
    """The gradebook row of one student.

    ``expected`` maps each family question's id to the student's variant; ``code`` maps each
    code question's id to its result (:func:`code_result`; missing ones count as not handed in);
    ``others`` each family question's class keys, to flag answers copied from a classmate.
    """
    lang = lang or assignment.lang
    maxima = tuple((q.id, question_max(q)) for q in assignment.questions)
    sheet = submission.sheet
    notes = tuple(p.text(lang) for p in submission.notes)
    if sheet is not None:
        notes += tuple(p.text(lang) for p in sheet.problems if p.answer is None)
    base = Row(submission.student, submission.status, submission.files, submission.reason, None, maxima, notes)
    if submission.status != "graded" or sheet is None:
        return base
    code, others = code or {}, others or {}
    results = tuple(
        (q.id, code.get(q.id) or missing_code(q, lang)) if isinstance(q, CodeQuestion)
        else (q.id, grade_sheet(q, expected[q.id], sheet, lang, others.get(q.id)))
        for q in assignment.questions
    )
    copied = tuple((q, r.copied_from) for q, r in results if r.copied_from is not None)
    notes += tuple(gradebook_message("copied_note", lang, question=q) for q, _ in copied)
    return replace(base, results=results, copied=copied, notes=notes)


def failed_row(assignment: Assignment, submission: Submission, error: Exception) -> Row:
    """The row of a student whose grading raised: flagged with the error, never dropped."""
    maxima = tuple((q.id, question_max(q)) for q in assignment.questions)
    reason = Reason("grading_error", (("error", f"{type(error).__name__}: {error}"[:200]),))
    return Row(submission.student, "grading_error", submission.files, reason, None, maxima)


def timed_out_row(assignment: Assignment, submission: Submission, seconds: float) -> Row:
    """The row of a student whose grading ran out of its time budget: flagged, never dropped."""
    maxima = tuple((q.id, question_max(q)) for q in assignment.questions)
    reason = Reason("timeout", (("seconds", f"{seconds:g}"),))
    return Row(submission.student, "grading_error", submission.files, reason, None, maxima)


# --- the gradebook files ----------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (OWASP CSV injection).

    A value that begins with ``= + - @``, a tab or a line break gets a leading ``'``; the csv
    writer quotes it when needed. Only for text columns: numbers are written as they are.

    >>> print(spreadsheet_text('=HYPERLINK("http://e.example","x")'), spreadsheet_text("ada"))
    '=HYPERLINK("http://e.example","x") ada
    """
    return f"'{value}" if value.startswith(FORMULA_START) else value


def gradebook_csv(assignment: Assignment, rows: Sequence[Row], lang: str | None = None) -> str:
    """``gradebook.csv``: one row per roster student, per-question and total points.

    Points are blank for a student who was not graded (see ``status`` and ``reason``), so
    importing the file never records a zero nobody decided on. Text cells are neutralised
    (:func:`spreadsheet_text`); ``gradebook.json`` keeps the exact text.
    """
    lang = lang or assignment.lang
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    questions = [q.id for q in assignment.questions]
    writer.writerow(["student_id", "name", "status", *questions, "total", "max", "reason"])
    for row in rows:
        results = dict(row.results or ())
        writer.writerow([
            spreadsheet_text(row.student.id), spreadsheet_text(row.student.name), row.status,
            *(points_text(results[q].score) if q in results else "" for q in questions),
            points_text(row.score), points_text(row.max), spreadsheet_text(row.flags(lang)),
        ])
    return out.getvalue()


def row_json(row: Row, lang: str) -> dict:
    """One row as JSON-ready data (answers with status, points, mistake)."""
    data: dict = {
        "id": row.student.id, "name": row.student.name, "status": row.status,
        "reason": row.reason.text(lang) if row.reason else None, "files": list(row.files),
        "score": row.score, "max": row.max, "notes": list(row.notes), "copied_from": dict(row.copied),
        "shared_wrong": [{"other": p.other(row.student.id), "evidence": p.evidence,
                          "answers": [{"question": v.question, "answer": v.answer, "value": v.value,
                                       "weight": v.weight} for v in p.values]} for p in row.shared],
        "questions": {},
    }
    for q, maximum in row.maxima:
        result = dict(row.results or ()).get(q)
        data["questions"][q] = {"score": None if result is None else result.score, "max": maximum}
        if result is not None:
            data["questions"][q]["answers"] = {
                a.id: {"status": a.status, "score": a.score, "max": a.max, "mistake": a.mistake,
                       "carried_forward": a.carried_forward, "given": a.given}
                for a in result.answers
            }
    return data


def gradebook_json(assignment: Assignment, rows: Sequence[Row], strays: Sequence[Stray],
                   lang: str | None = None, overview: Summary | None = None) -> str:
    """``gradebook.json``: every row with every answer, the files set aside, and the summary.

    One student per line, keys sorted: readable, diffable, and fast to write for a large class.
    """
    lang = lang or assignment.lang

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    overview = overview or summary(assignment, rows)
    students = ",\n".join(f"  {dump(row_json(r, lang))}" for r in rows)
    unmatched = ",\n".join(f"  {dump({'file': s.file, 'reason': s.reason.text(lang)})}" for s in strays)
    return (
        f'{{"assignment": {dump({"id": assignment.id, "title": assignment.title})},\n'
        f'"students": [\n{students}\n],\n'
        f'"summary": {dump(overview.to_json())},\n'
        f'"unmatched_files": [\n{unmatched}\n]}}\n'
    )


# --- the class summary ------------------------------------------------------------------

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
    scores = tuple(sorted(r.score for r in rows if r.score is not None))
    questions = []
    mistakes: Counter = Counter()
    for q in assignment.questions:
        results = [g[q.id] for g in graded]
        shares = []
        answer_ids = [a.id for a in results[0].answers] if results else []
        if isinstance(q, FamilyQuestion):
            answer_ids = [a.id for a in asked_answers(q)]
        for answer_id in answer_ids:
            verdicts = [res.answer(answer_id) for res in results]
            shares.append((answer_id, _mean([v.status == "correct" for v in verdicts])))
            mistakes.update((q.id, answer_id, v.mistake) for v in verdicts if v.mistake)
        questions.append(QuestionSummary(
            q.id, f"code: {q.exercise}" if isinstance(q, CodeQuestion) else q.family.name, question_max(q),
            _mean([r.score for r in results]),
            _mean([r.score == r.max for r in results]), tuple(shares),
        ))
    ranked = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))[:top]
    counts = Counter(r.status for r in rows)
    return Summary(
        len(rows), tuple((s, counts[s]) for s in STATUSES if counts[s]),
        sum(question_max(q) for q in assignment.questions),
        _mean(scores), _median(scores), scores, tuple(questions),
        tuple((q, a, m, c) for (q, a, m), c in ranked),
    )


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
        families = {question.id: question.family for question in assignment.questions
                    if isinstance(question, FamilyQuestion)}
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
