"""What a student gets right and wrong over many quizzes, kept as JSON in their data directory.

The record is pure data (:class:`Progress`); :func:`record` adds one finished answer and
:func:`weakest` picks the step to review. :func:`load` and :func:`save` are the only I/O:
the file lives in ``platformdirs.user_data_dir("gdbp-grader")`` unless ``GRADER_DATA_DIR``
or an explicit directory says otherwise, and is written atomically (a temporary file in the
same directory, then ``os.replace``), so an interrupted quiz never leaves half a file.

File format (version 1)::

    {"version": 1,
     "families": {"backprop_222": {
         "sessions": 2,
         "answers": {"delta_o1": {"right": 1, "wrong": 1, "hints": 1}},
         "mistakes": {"activation_derivative_dropped": 1}}}}

An answer counts as right when its first judged attempt was right (carried forward
included) and the solution had not been shown before it; otherwise as wrong.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from grader.families import FAMILIES
from grader.quiz.session import AnswerState, Attempt, group_steps
from grader.text.messages import LANGUAGES

APP = "gdbp-grader"
FILENAME = "progress.json"
ENV = "GRADER_DATA_DIR"
VERSION = 1


class ProgressError(ValueError):
    """A progress file that cannot be read (the message says why)."""


@dataclass(frozen=True)
class Tally:
    """Right and wrong outcomes of one answer, and the hints asked for it."""

    right: int = 0
    wrong: int = 0
    hints: int = 0


@dataclass(frozen=True)
class FamilyProgress:
    """The record of one family."""

    sessions: int = 0
    answers: Mapping[str, Tally] = field(default_factory=dict)
    mistakes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    """The record of every family the student practised."""

    families: Mapping[str, FamilyProgress] = field(default_factory=dict)

    def family(self, name: str) -> FamilyProgress:
        """The record of one family (empty if never practised)."""
        return self.families.get(name, FamilyProgress())


def _with_family(progress: Progress, name: str, record: FamilyProgress) -> Progress:
    return Progress({**progress.families, name: record})


def started(progress: Progress, family: str) -> Progress:
    """The record with one more quiz started on ``family``."""
    old = progress.family(family)
    return _with_family(progress, family, replace(old, sessions=old.sessions + 1))


def record(progress: Progress, family: str, state: AnswerState) -> Progress:
    """The record with one finished answer added.

    >>> from grader.quiz.session import Attempt
    >>> p = record(Progress(), "gd_linear", AnswerState("w_1", (Attempt("1", "incorrect", ""),)))
    >>> p.family("gd_linear").answers["w_1"]
    Tally(right=0, wrong=1, hints=0)
    """
    old = progress.family(family)
    tally = old.answers.get(state.id, Tally())
    right = state.outcome == "first"
    tally = Tally(tally.right + right, tally.wrong + (not right), tally.hints + state.hints)
    mistakes = dict(old.mistakes)
    for attempt in state.attempts:
        if attempt.mistake:
            mistakes[attempt.mistake] = mistakes.get(attempt.mistake, 0) + 1
    return _with_family(progress, family, replace(old, answers={**old.answers, state.id: tally}, mistakes=mistakes))


@dataclass(frozen=True)
class Weakness:
    """A step to review: its family, name, and how often its answers were wrong."""

    family: str
    step: str
    wrong: int
    total: int


def step_tallies(progress: Progress) -> list[Weakness]:
    """Wrong and total outcomes per (family, step) of the registered families, in family order."""
    found = []
    for name, fam in FAMILIES.items():
        answers = progress.family(name).answers
        for step, ids in group_steps(fam.answers):
            tallies = [answers[a] for a in ids if a in answers]
            wrong = sum(t.wrong for t in tallies)
            total = sum(t.right + t.wrong for t in tallies)
            if total:
                found.append(Weakness(name, step, wrong, total))
    return found


def weakest(progress: Progress) -> Weakness | None:
    """The step the student gets wrong most (most wrong answers, then the higher share), or None."""
    candidates = [w for w in step_tallies(progress) if w.wrong]
    if not candidates:
        return None
    return max(candidates, key=lambda w: (w.wrong, w.wrong / w.total))


def to_json(progress: Progress) -> dict:
    """The JSON form of the record."""
    return {
        "version": VERSION,
        "families": {
            name: {
                "sessions": f.sessions,
                "answers": {a: {"right": t.right, "wrong": t.wrong, "hints": t.hints} for a, t in f.answers.items()},
                "mistakes": dict(f.mistakes),
            }
            for name, f in progress.families.items()
        },
    }


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProgressError(f"{where} should be a whole number >= 0, not {value!r}")
    return value


def from_json(data: object) -> Progress:
    """The record from its JSON form; ProgressError says what is wrong with a malformed one."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ProgressError(f"not a version-{VERSION} progress record")
    families = data.get("families", {})
    if not isinstance(families, dict):
        raise ProgressError("'families' should be an object")
    result = {}
    for name, f in families.items():
        if not isinstance(f, dict) or not isinstance(f.get("answers", {}), dict):
            raise ProgressError(f"the record of {name!r} is malformed")
        answers = {}
        for a, t in f.get("answers", {}).items():
            if not isinstance(t, dict):
                raise ProgressError(f"{name}.{a} should be an object")
            answers[a] = Tally(*(_count(t.get(k, 0), f"{name}.{a}.{k}") for k in ("right", "wrong", "hints")))
        mistakes = f.get("mistakes", {})
        if not isinstance(mistakes, dict):
            raise ProgressError(f"{name}.mistakes should be an object")
        result[name] = FamilyProgress(
            sessions=_count(f.get("sessions", 0), f"{name}.sessions"),
            answers=answers,
            mistakes={m: _count(c, f"{name}.mistakes.{m}") for m, c in mistakes.items()},
        )
    return Progress(result)


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Where progress lives: ``explicit``, else $GRADER_DATA_DIR, else the user's data directory."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def progress_path(explicit: str | os.PathLike | None = None) -> Path:
    """The progress file."""
    return data_dir(explicit) / FILENAME


def load(path: Path) -> tuple[Progress, tuple[str, Path] | None]:
    """The record in ``path`` (empty if there is none).

    A file that cannot be read is moved aside, never overwritten: the second value is then
    (the reason, where the old file now is).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress(), None
    try:
        return from_json(json.loads(text)), None
    except (ValueError, ProgressError) as error:  # json.JSONDecodeError is a ValueError
        backup = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, backup)
        return Progress(), (str(error), backup)


def save(progress: Progress, path: Path) -> None:
    """Write the record atomically (OSError if the directory cannot be written)."""
    _write_json(to_json(progress), path)


def _write_json(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1, sort_keys=True)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# A quiz stopped with q is kept here, one per family, so that the same command resumes it.
UNFINISHED = "unfinished.json"


@dataclass(frozen=True)
class Unfinished:
    """A stopped quiz: which problem (seed, or the seed article's numbers), language, steps, what was done."""

    family: str
    seed: int | None
    lang: str
    steps: tuple[str, ...] | None
    states: tuple[AnswerState, ...]


def unfinished_path(explicit: str | os.PathLike | None = None) -> Path:
    """The file of stopped quizzes."""
    return data_dir(explicit) / UNFINISHED


def _state_json(state: AnswerState) -> dict:
    return {"id": state.id, "given": [a.given for a in state.attempts], "hints": state.hints,
            "shown": state.shown, "moved_on": state.moved_on}


def _state(data: object) -> AnswerState:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("given"), list):
        raise ProgressError("a stopped answer is malformed")
    if not all(isinstance(g, str) and len(g) <= 1000 for g in data["given"]) or len(data["given"]) > 100:
        raise ProgressError(f"the answers typed for {data['id']!r} are malformed")
    flags = [data.get(k, False) for k in ("shown", "moved_on")]
    if not all(isinstance(f, bool) for f in flags):
        raise ProgressError(f"{data['id']}: shown and moved_on should be true or false")
    attempts = tuple(Attempt(g, "", "") for g in data["given"])
    return AnswerState(data["id"], attempts, _count(data.get("hints", 0), f"{data['id']}.hints"), *flags)


def unfinished_to_json(quizzes: Mapping[str, Unfinished]) -> dict:
    """The JSON form of the stopped quizzes."""
    return {"version": VERSION, "quizzes": {
        name: {"seed": u.seed, "lang": u.lang, "steps": list(u.steps) if u.steps is not None else None,
               "answers": [_state_json(s) for s in u.states]}
        for name, u in quizzes.items()}}


def unfinished_from_json(data: object) -> dict[str, Unfinished]:
    """The stopped quizzes from their JSON form; ProgressError says what is wrong."""
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("quizzes"), dict):
        raise ProgressError(f"not a version-{VERSION} record of stopped quizzes")
    found = {}
    for name, q in data["quizzes"].items():
        if name not in FAMILIES or not isinstance(q, dict):
            raise ProgressError(f"{name!r} is not a quiz topic")
        seed, steps, lang = q.get("seed"), q.get("steps"), q.get("lang")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ProgressError(f"{name}.seed should be a whole number >= 0 or null")
        if steps is not None and not (isinstance(steps, list) and all(isinstance(s, str) for s in steps)):
            raise ProgressError(f"{name}.steps should be a list of step names or null")
        if lang not in LANGUAGES or not isinstance(q.get("answers"), list) or len(q["answers"]) > 200:
            raise ProgressError(f"the stopped quiz of {name!r} is malformed")
        found[name] = Unfinished(name, seed, lang, tuple(steps) if steps is not None else None,
                                 tuple(_state(s) for s in q["answers"]))
    return found


def load_unfinished(path: Path) -> tuple[dict[str, Unfinished], str | None]:
    """The stopped quizzes in ``path`` (none if there is no file) and, if it is unreadable, why."""
    try:
        return unfinished_from_json(json.loads(path.read_text(encoding="utf-8"))), None
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError, ProgressError) as error:
        return {}, str(error)


def save_unfinished(quizzes: Mapping[str, Unfinished], path: Path) -> None:
    """Write the stopped quizzes atomically (OSError if the directory cannot be written)."""
    _write_json(unfinished_to_json(quizzes), path)
