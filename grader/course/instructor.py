"""The instructor's workflow: ``grader generate`` and ``grader grade`` for a whole class.

This module is the adapter that touches files; everything it decides comes from pure
modules (:mod:`grader.course.sheets`, :mod:`grader.course.report`, :mod:`grader.course.gradebook`,
:mod:`grader.text.html`). Its rules:

- every file is written atomically: the many per-student files (sheets, reports) are
  written into one staging folder of the run and published only after all of them are
  written, each by one rename (:func:`publish`); the other files each by a temporary file
  in the same folder, then ``os.replace``; the gradebook is fsynced and replaced only at
  the end of a complete run, so a run killed midway leaves the previous gradebook intact;
- outputs carry no timestamps and follow sorted or roster order: identical inputs give
  byte-identical outputs;
- ``--jobs N`` grades chunks of the class in N processes; each chunk prepares its
  students' variants in one batch per question.

Layout of ``grader generate ... --out DIR``::

    DIR/students/<id>/problem.md, problem.html   the problem with the student's numbers
    DIR/students/<id>/<id>.txt                    the answer sheet to fill in and hand back
    DIR/instructor/key.csv, key.json              every answer of every student (keep private)

Layout of ``grader grade ... --out DIR``::

    DIR/gradebook.csv, gradebook.json             one row per roster student
    DIR/summary.md, summary.html, scores.png      the class summary
    DIR/reports/<id>.md, <id>.html                each student's feedback and worked solution

``<id>`` is the student id when it is made of lower-case letters, digits and ``._-``; any
other id is written as its safe characters, ``~`` and a hash (:func:`grader.course.roster.file_stem`),
so that every student has files of their own. Everything printed to the terminal has its
control characters removed (:func:`terminal_text`).
"""

from __future__ import annotations

import base64
import csv
import fcntl
import io
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from grader.code import get_exercise, grade_code_file
from grader.core.grading import Classmates, Expected, Result, classmates, expectations
from grader.core.kinds import kind_of
from grader.core.variants import Variant, generate
from grader.course.assignment import (
    Assignment,
    AssignmentError,
    CodeQuestion,
    FamilyQuestion,
    asked_answers,
    parse_assignment,
)
from grader.course.gradebook import (
    Incoming,
    Row,
    Stray,
    Submission,
    Summary,
    code_result,
    failed_row,
    grade_submission,
    gradebook_csv,
    gradebook_json,
    intake,
    score_bins,
    spreadsheet_text,
    summary,
    summary_markdown,
    timed_out_row,
)
from grader.course.item_analysis import (
    ItemAnalysis,
    analyse,
    breakdown_csv,
    item_markdown,
    item_plot,
    items_csv,
    long_csv,
    variant_features,
)
from grader.course.overrides import (
    OverrideError,
    apply_overrides,
    audit_csv,
    not_applied,
    parse_overrides,
    with_report_section,
)
from grader.course.report import QuestionOutcome, student_report
from grader.course.roster import RosterError, Student, file_stem, read_roster
from grader.course.shared_wrong import flag_rows
from grader.course.sheets import MAX_BYTES, answer_sheet, code_file, decode, problem_statement
from grader.text.html import literal, page
from grader.text.messages import localized
from grader.text.terminal import terminal_text

CHUNK = 250  # students per task: large enough for batch variants, small enough to share work
STUDENT_SECONDS = 120.0  # default time budget of one student's grading (code included)

MIN_SALT = 20  # characters; grader init writes 32 random ones (192 bits)

TEXT = {
    "busy": {
        "en": "another grader run is writing into {out}; wait for it to finish, or choose another --out",
        "zh": "另一个 grader 进程正在写入 {out};请等它结束,或换一个 --out 目录",
    },
    "no_salt": {
        "en": "assignment {id} has no salt: anyone who knows a classmate's id can compute their numbers; "
              "add salt = \"{example}\" (a random one) before handing out the sheets",
        "zh": "作业 {id} 没有 salt:知道同学学号的人就能算出其题目数据;分发题目前请加入 salt = \"{example}\"(随机生成)",
    },
    "short_salt": {
        "en": "the salt of assignment {id} has {length} characters; a short or guessable salt can be found from one "
              "student's sheet, and with it every classmate's numbers; use at least {min} random characters, "
              "e.g. salt = \"{example}\"",
        "zh": "作业 {id} 的 salt 只有 {length} 个字符;较短或可猜的 salt 可以从一名学生的题目中推出,"
              "进而得到所有同学的数据;请使用至少 {min} 个随机字符,例如 salt = \"{example}\"",
    },
    "init_done": {
        "en": "{path}: assignment {id} with a random salt; add questions, then "
              "grader generate {path} --roster ROSTER.csv --out DIR",
        "zh": "{path}:作业 {id},salt 已随机生成;添加题目后运行 grader generate {path} --roster ROSTER.csv --out DIR",
    },
    "init_exists": {"en": "{path} exists; choose another file name", "zh": "{path} 已存在;请换一个文件名"},
    "init_failed": {"en": "{path}: cannot write ({error})", "zh": "{path}:无法写入({error})"},
    "problem_title": {"en": "{title}: problems for {student}", "zh": "{title}:{student} 的题目"},
    "how_to_answer": {
        "en": "Write your answers in the answer sheet `{sheet}` (one answer per line, `id = value`) "
              "and hand in that file.",
        "zh": "请把答案写在答题纸 `{sheet}` 中(每行一个答案,格式 `编号 = 值`),然后提交这个文件。",
    },
    "question": {"en": "Question {id}", "zh": "第 {id} 题"},
    "code_question": {
        "en": "Code exercise: {title}. Write the functions {functions} and hand in your file as {file}.",
        "zh": "代码练习:{title}。请实现函数 {functions},并把文件命名为 {file} 提交。",
    },
}


def instructor_message(key: str, lang: str, **fields: object) -> str:
    """A message of the instructor's commands in ``lang`` (en or zh)."""
    return localized(TEXT, key, lang, **fields)


# --- files ------------------------------------------------------------------------------

def write_atomic(path: Path, data: str | bytes, durable: bool = False) -> None:
    """Write a file so that readers see the old or the new content, never a part.

    ``durable`` also fsyncs the file and its folder (used for the gradebook and the key).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable and hasattr(os, "O_DIRECTORY"):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")  # what write_atomic's mkstemp names look like
STAGING = re.compile(r"\.staging\.[A-Za-z0-9_]{8}\.tmp")  # what staging_folder's mkdtemp names look like


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files of :func:`write_atomic` and the staging folders left by a run that was killed."""
    if folder.is_dir():
        for stale in folder.glob(".staging.*.tmp"):
            if STAGING.fullmatch(stale.name) and stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
        for stale in folder.rglob(".*.tmp"):
            if TEMPORARY.fullmatch(stale.name) and stale.is_file():
                stale.unlink(missing_ok=True)


def staging_folder(out: Path) -> Path:
    """A new, private folder in ``out`` where a run writes its per-student files before :func:`publish`."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=out, prefix=".staging.", suffix=".tmp"))


def write_staged(path: Path, data: str) -> None:
    """Write a file in a staging folder (no rename of its own: :func:`publish` makes it visible).

    Readable by its owner only, as :func:`write_atomic`'s files are.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data.encode("utf-8"))


def publish(staging: Path, out: Path) -> None:
    """Move every file of a complete staging folder to the same place under ``out``, then remove it.

    Each file arrives by one ``os.replace``, so a reader sees a file's old or new content,
    never a part; a run interrupted before this step leaves every earlier file as it was
    (its staging folder is removed at the next run's start). Atomicity costs one rename per
    file and nothing per write; no file is fsynced (the gradebook and the key are, by
    :func:`write_atomic`, after this).
    """
    for folder, _, files in os.walk(staging):
        target = out / Path(folder).relative_to(staging)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(os.path.join(folder, name), target / name)
    shutil.rmtree(staging)


@contextmanager
def staged(out: Path):
    """A staging folder for the block's per-student files, published when the block completes.

    If the block raises, the folder is deleted and nothing of it is published.
    """
    staging = staging_folder(out)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, out)


def read_incoming(folder: Path) -> list[Incoming]:
    """Every entry of a submissions folder, read and decoded (never raises for a bad file).

    Symbolic links are not followed, special files (pipes, devices) are not opened, and a name
    that is not UTF-8 is not used: each becomes an entry of that kind, which the gradebook
    refuses with the reason.
    """
    items = []
    for entry in sorted(folder.iterdir()):
        shown = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
        if shown != entry.name:  # not UTF-8: the name could be neither shown nor written
            items.append(Incoming(shown, kind="bad_name"))
            continue
        try:
            mode = entry.lstat().st_mode
        except OSError as error:
            items.append(Incoming(entry.name, kind="error", error=error.strerror or str(error)))
            continue
        if stat.S_ISLNK(mode) or stat.S_ISDIR(mode) or not stat.S_ISREG(mode):
            kind = "symlink" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode) else "special"
            items.append(Incoming(entry.name, kind=kind))
            continue
        try:
            size, data = _read_regular(entry)
        except OSError as error:
            items.append(Incoming(entry.name, kind="error", error=error.strerror or str(error)))
            continue
        items.append(Incoming(entry.name, decode(data, size), size=size))
    return items


def _read_regular(path: Path) -> tuple[int, bytes]:
    """(size, first MAX_BYTES + 1 bytes) of a regular file, refusing a link or special file swapped in."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        return info.st_size, handle.read(MAX_BYTES + 1)


def read_class_roster(path: Path) -> tuple[list[Student], list[str]]:
    """The roster's students, and warnings: a repeated student id is counted once.

    Everything else is :func:`grader.course.roster.read_roster`'s job (it raises RosterError);
    only a repeated id is forgiven here, so that a roster with a duplicate line still gives
    every student exactly one gradebook row.
    """
    warnings: list[str] = []
    return read_roster(path, warnings), warnings


class InstructorError(Exception):
    """A class run that cannot start (an unreadable assignment, roster or overrides file): the reason in words."""


def load_assignment(path: Path) -> tuple[Assignment, str]:
    """The assignment of a TOML file and its text (raises :class:`InstructorError` with the reason)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InstructorError(f"{path}: cannot read the assignment ({error})") from None
    try:
        return parse_assignment(text), text
    except AssignmentError as error:
        raise InstructorError(f"{path}: {error}") from None


@cache
def _assignment(text: str) -> Assignment:
    """The parsed assignment, once per process (workers receive the text)."""
    return parse_assignment(text)


# --- the terminal ----------------------------------------------------------------------

def _safe_echo(echo: Callable[[str], None]) -> Callable[[str], None]:
    return lambda message: echo(terminal_text(message, one_line=True))


# --- running chunks, in one process or several ------------------------------------------

def run_chunks(task: Callable, chunks: Sequence[tuple], jobs: int, label: str, total: int) -> list:
    """Run ``task`` on each chunk (in order), with a progress bar counting students."""
    from tqdm import tqdm

    results = []
    with tqdm(total=total, desc=label, unit="student", file=sys.stderr, disable=None, leave=False) as bar:
        if jobs <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                results.append(task(chunk))
                bar.update(len(chunk[1]))
            return results
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(min(jobs, len(chunks))) as pool:
            for chunk, result in zip(chunks, pool.imap(task, chunks), strict=True):
                results.append(result)
                bar.update(len(chunk[1]))
    return results


def _chunks(items: Sequence, size: int = CHUNK) -> list[Sequence]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def class_expectations(assignment: Assignment, student_ids: Sequence[str]) -> dict[str, list[Expected]]:
    """Every student's variant of every question, prepared in one batch per question."""
    prepared = {}
    for q in assignment.questions:
        if isinstance(q, CodeQuestion):
            continue
        variants = generate(q.family, [assignment.key(s, q) for s in student_ids])
        prepared[q.id] = expectations(q.family, variants)
    return prepared


def _warm_up(assignment: Assignment) -> None:
    """Derive and compile every family once before forking, so workers inherit the work."""
    class_expectations(assignment, ["warm-up"])


# --- generate ---------------------------------------------------------------------------

def random_salt() -> str:
    """A new random salt: 32 URL-safe characters from the operating system's generator."""
    return secrets.token_urlsafe(24)


def salt_warning(assignment: Assignment, lang: str | None = None) -> str | None:
    """Why the assignment's salt does not keep students' numbers private, or None when it looks fine."""
    lang = lang or assignment.lang
    if not assignment.salt:
        return instructor_message("no_salt", lang, id=assignment.id, example=random_salt())
    if len(assignment.salt) < MIN_SALT:
        return instructor_message("short_salt", lang, id=assignment.id, length=len(assignment.salt), min=MIN_SALT,
                     example=random_salt())
    return None


ASSIGNMENT_TEMPLATE = """\
# A new assignment, written by grader init. Edit the questions, then:
#   grader generate {file} --roster roster.csv --out sheets
#   grader grade {file} submissions --out graded
id = {id}
title = {title}
lang = "{lang}"
salt = "{salt}"   # random: keep it private; a new salt gives every student new numbers

[[questions]]
id = "q1"
family = "{family}"
"""


def assignment_template(assignment_id: str, title: str, lang: str, family: str, file: str) -> str:
    """The text of a new assignment file with one question of ``family`` and a random salt."""
    return ASSIGNMENT_TEMPLATE.format(id=json.dumps(assignment_id, ensure_ascii=False),
                                      title=json.dumps(title, ensure_ascii=False), lang=lang,
                                      salt=random_salt(), family=family, file=file)


def problem_markdown(assignment: Assignment, student: Student, expected: dict[str, Expected], lang: str) -> str:
    """One student's problem sheet."""
    who = literal(f"{student.name} ({student.id})" if student.name else student.id)
    sheet = f"{file_stem(student.id)}.txt"
    out = [f"# {instructor_message('problem_title', lang, title=assignment.title, student=who)}", "",
           instructor_message("how_to_answer", lang, sheet=sheet), ""]
    for q in assignment.questions:
        out += [f"## {instructor_message('question', lang, id=q.id)}", ""]
        if isinstance(q, CodeQuestion):
            exercise = get_exercise(q.exercise)
            functions = ", ".join(f"`{f}`" for f in exercise.functions)
            out += [instructor_message("code_question", lang, title=exercise.title[lang], functions=functions,
                          file=f"`{code_file(assignment, file_stem(student.id), q.id)}`"), ""]
            continue
        out += [problem_statement(q, expected[q.id], lang)]
    return "\n".join(out)


def key_entries(question: FamilyQuestion, expected: Expected) -> list[tuple[str, str, str, float]]:
    """(answer id, kind, value, points) of every asked answer of one variant."""
    return [(a.id, a.kind, kind_of(a).key_text(expected, a), question.settings.points_for(a))
            for a in asked_answers(question)]


def _generate_chunk(task: tuple) -> list[tuple[str, str, list]]:
    text, students, out, lang = task
    assignment = _assignment(text)
    prepared = class_expectations(assignment, [s.id for s in students])
    keys = []
    for i, student in enumerate(students):
        expected = {q: column[i] for q, column in prepared.items()}
        folder = Path(out) / "students" / file_stem(student.id)
        markdown = problem_markdown(assignment, student, expected, lang)
        write_staged(folder / "problem.md", markdown)
        write_staged(folder / "problem.html", page(markdown, f"{assignment.title}: {student.id}", lang))
        write_staged(folder / f"{file_stem(student.id)}.txt", answer_sheet(assignment, student.id, lang))
        keys += [(student.id, q.id, key_entries(q, expected[q.id]))
                 for q in assignment.questions if isinstance(q, FamilyQuestion)]
    return keys


@contextmanager
def output_lock(out: Path, lang: str = "en"):
    """Hold ``out`` for one run: a second run into the same folder is refused while this one
    writes (it would remove this run's staging folder and temporary files as stale)."""
    out.mkdir(parents=True, exist_ok=True)
    handle = os.open(out / ".grader.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstructorError(instructor_message("busy", lang, out=out)) from None
        yield
    finally:
        os.close(handle)


def generate_class(assignment_path: Path, roster_path: Path, out: Path, jobs: int = 1,
                   lang: str | None = None, echo: Callable[[str], None] = print) -> dict[str, float]:
    """``grader generate``: problem sheets, answer sheets and the instructor key; returns phase times."""
    with output_lock(out, lang or "en"):
        return _generate_class(assignment_path, roster_path, out, jobs, lang, echo)


def _generate_class(assignment_path: Path, roster_path: Path, out: Path, jobs: int,
                    lang: str | None, echo: Callable[[str], None]) -> dict[str, float]:
    times = {}
    start = time.perf_counter()
    echo = _safe_echo(echo)
    assignment, text = load_assignment(assignment_path)
    students, warnings = _roster(roster_path)
    salt = salt_warning(assignment)
    for w in [*warnings, *([salt] if salt else [])]:
        echo(f"warning: {w}")
    lang = lang or assignment.lang
    remove_stale_temporaries(out)
    _warm_up(assignment)
    times["setup"] = time.perf_counter() - start
    start = time.perf_counter()
    with staged(out) as staging:
        chunks = [(text, list(c), str(staging), lang) for c in _chunks(students)]
        keys = [k for part in run_chunks(_generate_chunk, chunks, jobs, "generating", len(students)) for k in part]
        times["sheets"] = time.perf_counter() - start
        start = time.perf_counter()
    times["publish sheets"] = time.perf_counter() - start
    start = time.perf_counter()
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["student_id", "question", "answer", "kind", "value", "points"])
    nested: dict = {}
    for student_id, question_id, entries in keys:
        for answer_id, kind, value, points in entries:
            writer.writerow([spreadsheet_text(student_id), question_id, answer_id, kind, value, f"{points:g}"])
            nested.setdefault(student_id, {}).setdefault(question_id, {})[answer_id] = {
                "kind": kind, "value": value, "points": points}
    write_atomic(out / "instructor" / "key.csv", rows.getvalue(), durable=True)
    key_json = {"assignment": {"id": assignment.id, "title": assignment.title}, "students": nested}
    write_atomic(out / "instructor" / "key.json",
                 json.dumps(key_json, ensure_ascii=False, indent=1, sort_keys=True) + "\n", durable=True)
    times["key"] = time.perf_counter() - start
    echo(f"{len(students)} students: problem and answer sheets in {out / 'students'}; "
         f"the instructor key (keep it private) in {out / 'instructor'}")
    return times


def _roster(path: Path) -> tuple[list[Student], list[str]]:
    try:
        return read_class_roster(path)
    except (RosterError, OSError, UnicodeDecodeError, ValueError) as error:
        raise InstructorError(terminal_text(str(error))) from None


# --- grade ------------------------------------------------------------------------------

def code_results(assignment: Assignment, submission: Submission, folder: Path, lang: str) -> dict[str, Result]:
    """Each code question's result: the student's .py file run on the hidden tests (grader.code).

    Only for a row that is graded; a code question without a file counts as not handed in.
    """
    if submission.status != "graded":
        return {}
    questions = {q.id: q for q in assignment.questions if isinstance(q, CodeQuestion)}
    results = {}
    for question_id, name in submission.code_files:
        path = folder / name
        if not stat.S_ISREG(path.lstat().st_mode):  # replaced by a link since the folder was read
            raise OSError(0, f"{name} is no longer a regular file")
        key = assignment.key(submission.student.id, questions[question_id])
        results[question_id] = code_result(grade_code_file(path, questions[question_id].exercise, lang, key=key))
    return results


class OutOfTime(BaseException):
    """A student's grading ran out of its time budget (a BaseException: no ``except Exception`` swallows it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@contextmanager
def time_budget(seconds: float | None):
    """Raise OutOfTime in the block after ``seconds`` of wall-clock time (SIGALRM).

    Only in a process's main thread with ``setitimer`` (as ``grader grade`` and its workers
    run); elsewhere, or with ``seconds`` None, the block runs unguarded.
    """
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OutOfTime(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # and again every second, should one alarm be lost
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def grade_one(assignment: Assignment, submission: Submission, expected: dict[str, Expected], folder: Path,
              lang: str, seconds: float | None = STUDENT_SECONDS, others: dict[str, Classmates] | None = None) -> Row:
    """One student's row: graded, or flagged when grading raised or ran out of its time budget.

    ``others`` (each family question's class keys) lets answers copied from a classmate be flagged.
    """
    try:
        with time_budget(seconds):
            code = code_results(assignment, submission, folder, lang)
            return grade_submission(assignment, submission, expected, lang, code, others)
    except OutOfTime as out:
        return timed_out_row(assignment, submission, out.seconds)
    except Exception as error:  # a grader bug costs one flagged row, never the class run
        return failed_row(assignment, submission, error)


def class_keys(assignment: Assignment, student_ids: Sequence[str]
               ) -> tuple[dict[str, Classmates], dict[str, dict[str, Variant]]]:
    """Every roster student's key of every family question, to spot answers copied from a classmate,
    and each student's variant of each family question (question id, then student id)."""
    prepared = class_expectations(assignment, student_ids)
    return ({q: classmates(student_ids, column) for q, column in prepared.items()},
            {q: {s: e.variant for s, e in zip(student_ids, column, strict=True)} for q, column in prepared.items()})


def _grade_chunk(task: tuple) -> list[Row]:
    text, submissions, out, lang, folder, seconds, overrides, others = task
    assignment = _assignment(text)
    prepared = class_expectations(assignment, [s.student.id for s in submissions])
    rows = []
    for i, submission in enumerate(submissions):
        expected = {q: column[i] for q, column in prepared.items()}
        row = grade_one(assignment, submission, expected, Path(folder), lang, seconds, others)
        row = apply_overrides(row, overrides.get(submission.student.id, ()), lang)
        write_report(assignment, row, expected, Path(out), lang)
        rows.append(row)
    return rows


def write_report(assignment: Assignment, row: Row, expected: dict[str, Expected], out: Path, lang: str) -> None:
    """A student's report as Markdown and HTML in ``out/reports``, ``out`` a staging folder (:func:`staged`)."""
    results = dict(row.results or ())
    outcomes = [QuestionOutcome(q, expected.get(q.id), results.get(q.id)) for q in assignment.questions]
    who = f"{row.student.name} ({row.student.id})" if row.student.name else row.student.id
    reason = row.reason.text(lang) if row.status != "graded" and row.reason else None
    markdown = with_report_section(student_report(assignment, who, outcomes, lang, not_graded=reason,
                                                  notes=row.notes), row, lang)
    stem = file_stem(row.student.id)
    write_staged(out / "reports" / f"{stem}.md", markdown)
    write_staged(out / "reports" / f"{stem}.html", page(markdown, f"{assignment.title}: {row.student.id}", lang))


def score_plot(assignment: Assignment, s: Summary, lang: str = "en") -> bytes:
    """A histogram of the graded students' scores as PNG bytes (matplotlib, Agg, no timestamp), labelled in ``lang``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from grader.course.figures import cjk_figure, label

    figure = Figure(figsize=(6, 3.2), dpi=100)
    axes = figure.subplots()
    edges = [low for low, _, _ in score_bins(s.scores, s.max)] + [max(s.max, 1.0)]  # the alt text's bins
    axes.hist(s.scores, bins=edges, color="#4a78b5", edgecolor="white")
    axes.set_xlabel(label("scores_x", lang))
    axes.set_ylabel(label("scores_y", lang))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(label("scores_title", lang, assignment=assignment.id, graded=len(s.scores),
                         max=f"{max(s.max, 1.0):g}"))
    cjk_figure(figure, lang).tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def grade_class(assignment_path: Path, submissions: Path, out: Path, roster_path: Path | None = None,
                jobs: int = 1, lang: str | None = None, echo: Callable[[str], None] = print,
                overrides_path: Path | None = None, student_seconds: float | None = STUDENT_SECONDS
                ) -> dict[str, float]:
    """``grader grade``: gradebook, reports and class summary; returns the time of each phase.

    ``overrides_path`` defaults to ``overrides.csv`` next to the assignment, when there is one;
    ``student_seconds`` is each student's time budget.
    """
    with output_lock(out, lang or "en"):
        return _grade_class(assignment_path, submissions, out, roster_path, jobs, lang, echo, overrides_path,
                            student_seconds)


def _grade_class(assignment_path: Path, submissions: Path, out: Path, roster_path: Path | None, jobs: int,
                 lang: str | None, echo: Callable[[str], None], overrides_path: Path | None,
                 student_seconds: float | None) -> dict[str, float]:
    times = {}
    start = time.perf_counter()
    echo = _safe_echo(echo)
    assignment, text = load_assignment(assignment_path)
    roster_path = roster_path or assignment_path.parent / "roster.csv"
    if not roster_path.is_file():
        raise InstructorError(f"no roster: {roster_path} does not exist; give one with --roster ROSTER.csv")
    students, warnings = _roster(roster_path)
    lang = lang or assignment.lang
    overrides_path = overrides_path or assignment_path.parent / "overrides.csv"
    overrides = _overrides(overrides_path, assignment, students, lang)
    remove_stale_temporaries(out)
    times["setup"] = time.perf_counter() - start
    start = time.perf_counter()
    submitted, strays = intake(assignment, students, read_incoming(submissions))
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    _warm_up(assignment)
    by_student: dict[str, list] = {}
    for o in overrides:
        by_student.setdefault(o.student, []).append(o)
    others, variants = class_keys(assignment, [s.id for s in students])
    with staged(out) as staging:
        chunks = [(text, list(c), str(staging), lang, str(submissions), student_seconds, by_student, others)
                  for c in _chunks(submitted)]
        rows = [r for part in run_chunks(_grade_chunk, chunks, jobs, "grading", len(submitted)) for r in part]
        rows = flag_rows(assignment, rows, others)
        times["grade"] = time.perf_counter() - start
        start = time.perf_counter()
    times["publish reports"] = time.perf_counter() - start
    start = time.perf_counter()
    write_outputs(assignment, rows, strays, out, lang, variants)
    audit = out / "overrides_audit.csv"
    if overrides:
        write_atomic(audit, audit_csv(rows, overrides), durable=True)
        echo(f"{len(overrides)} overrides from {overrides_path}; audit: {audit}")
        for o in not_applied(rows, overrides):
            echo(f"warning: {overrides_path}, line {o.line}: {o.student} is not graded; the override is not applied")
    elif audit.is_file():  # the last run had overrides and this one has none: say so loudly
        os.replace(audit, out / "overrides_audit.previous.csv")
        echo(f"warning: the previous grading applied overrides ({out / 'overrides_audit.previous.csv'}); "
             f"this run has none: {overrides_path} does not exist (give it with --overrides)")
    times["write"] = time.perf_counter() - start
    for w in warnings:
        echo(f"warning: {w}")
    _echo_summary(echo, rows, strays, out)
    return times


def write_outputs(assignment: Assignment, rows: Sequence[Row], strays: Sequence[Stray], out: Path,
                  lang: str, variants: Mapping[str, Mapping[str, Variant]] | None = None) -> None:
    """The class summary, then the gradebook (replaced last, each file atomically); ``variants``
    are the students' variants when the run has them (see :func:`write_item_analysis`)."""
    overview = summary(assignment, rows)
    plot = score_plot(assignment, overview, lang)
    write_atomic(out / "scores.png", plot)
    items_png = write_item_analysis(assignment, rows, out, lang, variants)
    markdown = summary_markdown(assignment, rows, strays, "scores.png", lang, overview)
    markdown += "\n" + item_markdown(items_png[0], "items.png", lang)
    write_atomic(out / "summary.md", markdown)
    embedded = markdown
    for name, png in (("scores.png", plot), ("items.png", items_png[1])):
        embedded = embedded.replace(f"]({name})", "](data:image/png;base64," + base64.b64encode(png).decode() + ")")
    write_atomic(out / "summary.html", page(embedded, f"{assignment.title}: summary", lang))
    write_atomic(out / "gradebook.json", gradebook_json(assignment, rows, strays, lang, overview), durable=True)
    write_atomic(out / "gradebook.csv", gradebook_csv(assignment, rows, lang), durable=True)


def write_item_analysis(assignment: Assignment, rows: Sequence[Row], out: Path, lang: str = "en",
                        variants: Mapping[str, Mapping[str, Variant]] | None = None) -> tuple[ItemAnalysis, bytes]:
    """``answers_long.csv``, ``items.csv``, ``items_by_variant.csv`` and ``items.png``; the analysis and plot.

    ``variants`` (question id, then student id) spares generating the graded students' variants again.
    """
    graded = [r.student.id for r in rows if r.results is not None]
    analysis = analyse(rows, variant_features(assignment, graded, variants=variants))
    png = item_plot(analysis, lang)
    write_atomic(out / "items.png", png)
    for name, data in (("answers_long.csv", long_csv(rows)), ("items.csv", items_csv(analysis)),
                       ("items_by_variant.csv", breakdown_csv(analysis))):
        write_atomic(out / name, data)
    return analysis, png


def _overrides(path: Path, assignment: Assignment, students: Sequence[Student], lang: str) -> list:
    """The overrides of ``path`` (none when it does not exist); a bad file stops the run with every problem."""
    if not path.is_file():
        return []
    try:
        return parse_overrides(path.read_text(encoding="utf-8-sig"), assignment, [s.id for s in students],
                               str(path), lang)
    except (OSError, UnicodeDecodeError) as error:
        raise InstructorError(f"{path}: cannot read the overrides ({error})") from None
    except OverrideError as error:
        raise InstructorError(str(error)) from None


def _echo_summary(echo: Callable[[str], None], rows: Iterable[Row], strays: Sequence[Stray], out: Path) -> None:
    rows = list(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    echo(f"{len(rows)} students: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    for s in strays:
        echo(f"not on the roster: {s.reason.text('en')}")
    echo(f"gradebook: {out / 'gradebook.csv'}; reports: {out / 'reports'}; summary: {out / 'summary.html'}")
