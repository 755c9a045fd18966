"""What the notebook's cells print: identity, the statement's list of answers, the grader's feedback.

Pure: results and identities in, text out. The runtime prints it; nbgrader keeps it in the
autograded notebook and copies it into the feedback it generates.
"""

from __future__ import annotations

import math

from grader.core.grading import Result
from grader.nbgrader.identity import Identity
from grader.nbgrader.messages import message, status_text


def identity_markdown(identity: Identity, lang: str = "en") -> str:
    """Markdown naming the student and how the id was found, with any warning.

    >>> identity_markdown(Identity("alice", "hub"))
    '**Student:** `alice` (your JupyterHub user name)'
    """
    if identity.student is None:
        return problem_text(identity, lang)
    text = message("identity", lang, student=identity.student, source=message(f"source_{identity.source}", lang))
    if identity.problem is not None:
        text += "\n\n" + problem_text(identity, lang)
    return text


def problem_text(identity: Identity, lang: str = "en") -> str:
    """The sentence explaining an identity's problem (empty when there is none)."""
    if identity.problem is None:
        return ""
    return message(identity.problem, lang, student=identity.student, typed=identity.typed, hub=identity.hub,
                   wanted=identity.wanted)


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
