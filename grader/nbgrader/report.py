"""What the notebook's cells print: identity, the grader's feedback, flags for the teacher.

Pure: results and identities in, text out. The runtime prints it; nbgrader keeps it in the
autograded notebook and copies it into the feedback it generates.
"""

from __future__ import annotations

import math

from grader.grading import Result
from grader.nbgrader.identity import Identity
from grader.nbgrader.messages import message, status_text

FLAG_MIME = "application/vnd.gdbp-grader.flag+json"
"""The MIME type of the output that marks a flagged test cell (read by ``grader nbgrader flags``)."""


def identity_markdown(identity: Identity, lang: str = "en") -> str:
    """Markdown naming the student and how the id was found, with any warning.

    >>> identity_markdown(Identity("alice", "hub"))
    '**Student:** `alice` (your JupyterHub user name)'
    """
    if identity.student is None:
        if identity.problem == "unknown_nbgrader_id":
            return problem_text(identity, lang)
        return message("no_id", lang)
    text = message("identity", lang, student=identity.student, source=message(f"source_{identity.source}", lang))
    if identity.problem is not None:
        text += "\n\n" + problem_text(identity, lang)
    return text


def problem_text(identity: Identity, lang: str = "en") -> str:
    """The sentence explaining an identity's problem (empty when there is none)."""
    if identity.problem is None:
        return ""
    return message(identity.problem, lang, student=identity.student, typed=identity.typed, hub=identity.hub,
                   cwd=identity.cwd, structure=identity.structure)


def feedback(question_id: str, result: Result, lang: str = "en") -> str:
    """One line per answer (status, points, the grader's words), then the question's total."""
    width = max([len(a.id) for a in result.answers] + [8])
    lines = [
        f"{a.id:<{width}}  {status_text(a.status, lang):<10} {a.score:g}/{a.max:g}  {a.feedback}"
        for a in result.answers
    ]
    lines.append(message("total", lang, question=question_id, score=result.score, max=result.max))
    return "\n".join(lines)


def format_check(result: Result, lang: str = "en") -> str:
    """Whether each answer can be read, without saying whether it is right (for hidden tests)."""
    width = max([len(a.id) for a in result.answers] + [8])
    lines = []
    readable = 0
    for a in result.answers:
        if a.status in ("correct", "incorrect"):
            readable += 1
            lines.append(f"{a.id:<{width}}  {message('readable', lang)}")
        else:
            lines.append(f"{a.id:<{width}}  {status_text(a.status, lang):<10} {a.feedback}")
    lines.append(message("format_total", lang, readable=readable, count=len(result.answers)))
    return "\n".join(lines)


def flag_record(identity: Identity, question_id: str, score: float, other: Result | None = None) -> dict:
    """The machine-readable flag a test cell outputs under :data:`FLAG_MIME`."""
    record = {
        "problem": identity.problem,
        "question": question_id,
        "graded_as": identity.student,
        "typed": identity.typed,
        "cwd": identity.cwd,
        "score": score,
    }
    if other is not None:
        record["score_against_typed"] = other.score
    return record


def flag_text(identity: Identity, lang: str = "en", other: Result | None = None) -> str:
    """The flag as the teacher reads it in the notebook and in nbgrader's feedback."""
    text = problem_text(identity, lang)
    if other is not None:
        text += "\n" + message("other_key", lang, typed=identity.typed, score=other.score, max=other.max)
    return text


def cell_score(score: float, points: float) -> float:
    """The number a grade cell ends with: within [0, points] exactly, as nbgrader requires.

    nbgrader refuses a notebook whose grade cell reports more than the cell's points, so
    rounding noise (0.1 + 0.2) must not push a full score over the top.

    >>> cell_score(0.1 + 0.2, 0.3)
    0.3
    """
    if not math.isfinite(score):
        return 0.0
    return float(min(max(round(score, 9), 0.0), points))
