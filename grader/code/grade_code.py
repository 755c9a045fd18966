"""Grading one code submission: a student's ``.py`` file in, one typed result per hidden test out.

This is the function the instructor workflow (``grader grade``) calls for ``.py`` files::

    from grader.code import grade_code_file
    result = grade_code_file("submissions/s001.py", "backprop_222", "en", key=assignment.key("s001", question))
    result.score, result.max                      # points over all hidden tests
    for test in result.tests:                     # TestResult(name, title, status, score, max, message)
        print(test.name, test.status, test.score, test.max, test.message)
    result.to_json()                              # plain data for gradebook.json

The student's code runs in :mod:`grader.code.sandbox`; expected values are computed here,
in the grader's process, and never reach it. Nothing about the student's file raises:
an unreadable file, a syntax error, an endless loop or a forbidden action all become
results with a reason. An unknown exercise name is the course's error and raises
:class:`~grader.code.exercises.UnknownExercise`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from grader.code.checks import Note, Tally
from grader.code.exercises import get_exercise, hidden_tests
from grader.code.exercises.base import HiddenTest
from grader.code.messages import MESSAGES, message
from grader.code.sandbox import Call, Failure, Limits, Ref, RunReport, run_calls
from grader.core.variants import VariantKey
from grader.text.messages import language

Status = Literal["passed", "partial", "failed", "error"]
MAX_SOURCE_BYTES = 1 << 20
MAX_NOTES, MAX_NAMES = 3, 4


@dataclass(frozen=True)
class TestResult:
    """The verdict on one hidden test: status, points earned of ``max``, and what was wrong."""

    __test__ = False  # not a pytest test class

    name: str
    title: str
    status: Status
    score: float
    max: float
    message: str


@dataclass(frozen=True)
class CodeResult:
    """All hidden tests of one exercise for one file, with the captured output of the student's code."""

    exercise: str
    tests: tuple[TestResult, ...]
    score: float
    max: float
    stdout: str = ""
    stderr: str = ""
    containment: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict:
        """Plain data (JSON-ready)."""
        return {
            "exercise": self.exercise,
            "score": self.score,
            "max": self.max,
            "tests": [
                {"name": t.name, "title": t.title, "status": t.status, "score": t.score, "max": t.max,
                 "message": t.message}
                for t in self.tests
            ],
            "stdout": self.stdout,
            "stderr": self.stderr,
            "containment": dict(self.containment),
        }


def grade_code_file(
    path: str | Path,
    exercise: str,
    lang: str = "en",
    *,
    key: VariantKey | None = None,
    limits: Limits | None = None,
) -> CodeResult:
    """Grade the student's file at ``path`` on the hidden tests of ``exercise``.

    ``key`` chooses the random variants (pass the student's ``assignment.key(student, question)``
    so each student gets their own; None uses a fixed set); ``lang`` is "en" or "zh";
    ``limits`` are the sandbox's (default :class:`~grader.code.sandbox.Limits`).
    """
    try:
        with open(path, "rb") as handle:
            source = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        return _unreadable(exercise, lang, error.strerror or str(error))
    return grade_code_source(source, exercise, lang, key=key, limits=limits)


def grade_code_source(
    source: bytes | str,
    exercise: str,
    lang: str = "en",
    *,
    key: VariantKey | None = None,
    limits: Limits | None = None,
) -> CodeResult:
    """Grade the text of a student's file (see :func:`grade_code_file`)."""
    get_exercise(exercise)  # an unknown exercise is the course's error: raise before anything else
    if isinstance(source, str):
        source = source.encode("utf-8")
    if len(source) > MAX_SOURCE_BYTES:
        return _unreadable(exercise, lang, f"larger than {MAX_SOURCE_BYTES // 1024} KB")
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as error:
        return _unreadable(exercise, lang, f"not UTF-8 text (byte {error.start})")
    tests = hidden_tests(exercise, key)
    calls, spans = _calls(tests)
    report = run_calls(source, calls, limits)
    results = tuple(_judge(exercise, test, report, span, lang) for test, span in zip(tests, spans, strict=True))
    return CodeResult(
        exercise, results, round(sum(r.score for r in results), 6), float(sum(r.max for r in results)),
        report.stdout, report.stderr, dict(report.containment),
    )


def _calls(tests: Sequence[HiddenTest]) -> tuple[list[Call], list[list[range]]]:
    """All calls of all tests in one list; for each test, the index range of each of its cases.

    Refs inside a case are relative to the case; they are shifted to the global index here.
    """
    calls: list[Call] = []
    spans = []
    for test in tests:
        ranges = []
        for case in test.cases:
            start = len(calls)
            calls += [_shift(call, start) for call in case.calls]
            ranges.append(range(start, len(calls)))
        spans.append(ranges)
    return calls, spans


def _shift(call: Call, offset: int) -> Call:
    def move(value):
        if isinstance(value, Ref):
            return Ref(value.index + offset)
        return value

    return Call(call.function, tuple(move(a) for a in call.args), {k: move(v) for k, v in call.kwargs.items()},
                call.return_args)


def _judge(exercise: str, test: HiddenTest, report: RunReport, spans: list[range], lang: str) -> TestResult:
    """One test's verdict from the outcomes of its calls."""
    tally = Tally()
    process_failure = False
    for case, span in zip(test.cases, spans, strict=True):
        outcomes = [report.outcomes[i] for i in span]
        failed = next(((i, o.failure) for i, o in enumerate(outcomes) if o.failure is not None), None)
        if failed is not None:  # (by position: outcomes holding arrays cannot be compared with ==)
            position, failure = failed
            function = case.calls[position].function
            note = failure_note(failure, function)
            if report.load_failure is not None and failure == report.load_failure:
                note = load_note(report.load_failure, lang)
            tally.check(note, weight=case.weight)
            process_failure = True
            continue
        values = [o.args if c.return_args else o.value for o, c in zip(outcomes, case.calls, strict=True)]
        try:
            case.judge(values, tally)
        except Exception as error:  # a judge must never crash on odd student values
            tally.check(Note("wrong_value", (case.calls[0].function,), (("given", type(error).__name__),)),
                        weight=case.weight)
    score = round(test.points * tally.fraction, 6)
    if tally.fraction >= 1:
        status: Status = "passed"
    elif process_failure and score == 0:
        status = "error"
    else:
        status = "partial" if score > 0 else "failed"
    title = get_exercise(exercise).tests[test.name][language(lang)]
    return TestResult(test.name, title, status, score, float(test.points), render(tally, lang))


def failure_note(failure: Failure, function: str) -> Note:
    """Why a call gave no value, as a note."""
    where = (("where", "line"),) if failure.line else (("where", ""),)
    fields: dict[str, str] = {"function": function}
    kind = failure.kind
    if kind == "blocked":
        what, _, detail = failure.detail.partition(": ")
        key = {"read": "f_blocked_read", "write": "f_blocked_write", "network": "f_blocked_network",
               "process": "f_blocked_process"}.get(what, "f_blocked_other")
        fields["detail"] = detail if what in ("read", "write", "process") else failure.detail
        return Note(key, (), tuple(sorted(fields.items())))
    if kind in ("exception", "recursion"):
        fields["error"] = failure.detail
        return Note(f"f_{kind}", (), tuple(sorted(fields.items())) + where + (("line", str(failure.line)),))
    if kind == "load":
        fields["detail"] = failure.detail
        return Note("f_load", (), tuple(sorted(fields.items())) + where + (("line", str(failure.line)),))
    if kind == "timeout":
        seconds = failure.detail.split("of ")[-1].replace(" s", "") if "limit of" in failure.detail else "?"
        fields["seconds"] = seconds
    elif kind == "memory":
        fields["limit"] = "the memory limit"
    elif kind == "output":
        fields["limit"] = failure.detail.replace("more than ", "")
    elif kind in ("crash", "exit", "internal"):
        fields["detail"] = failure.detail
    key = f"f_{kind}" if f"f_{kind}" in MESSAGES else "f_internal"
    if key == "f_internal":
        fields["detail"] = failure.detail or kind
    return Note(key, (), tuple(sorted(fields.items())))


def load_note(failure: Failure, lang: str) -> Note:
    """Why the student's file could not be loaded at all (a syntax error, or its top-level code)."""
    if failure.kind == "load":
        return failure_note(failure, "")
    inner = _sentence(failure_note(failure, message("your_file", lang)), lang)
    return Note("f_load_stopped", (), (("reason", inner),))


def render(tally: Tally, lang: str) -> str:
    """The notes of a test as sentences (at most MAX_NOTES), or 'All checks passed.'."""
    if tally.fraction >= 1 and not tally.notes:
        return message("passed", lang)
    sentences = [_sentence(note, lang) for note in tally.notes[:MAX_NOTES]]
    if len(tally.notes) > MAX_NOTES:
        sentences.append(message("more", lang, count=len(tally.notes) - MAX_NOTES))
    if 0 < tally.passed < tally.total:
        sentences.append(message("checks", lang, passed=tally.passed, total=tally.total))
    return " ".join(sentences)


def _sentence(note: Note, lang: str) -> str:
    fields = dict(note.fields)
    if "where" in fields:
        fields["where"] = message("where_line", lang, line=fields.get("line")) if fields["where"] else ""
    fields.pop("line", None)
    names = list(note.names)
    if len(names) > MAX_NAMES:
        extra = len(names) - (MAX_NAMES - 1)
        names = names[: MAX_NAMES - 1] + [f"{extra} more" if lang != "zh" else f"另外 {extra} 项"]
    return message(note.key, lang, names, **fields)


def _unreadable(exercise: str, lang: str, reason: str) -> CodeResult:
    """Every test of the exercise at zero, because the file itself could not be used."""
    spec = get_exercise(exercise)
    tests = hidden_tests(exercise)
    text = message("f_file", lang, detail=reason)
    results = tuple(TestResult(t.name, spec.tests[t.name][language(lang)], "error", 0.0, float(t.points), text)
                    for t in tests)
    return CodeResult(exercise, results, 0.0, float(sum(r.max for r in results)))
