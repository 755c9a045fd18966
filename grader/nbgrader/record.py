"""The answers a test cell records during ``nbgrader autograde``, as plain JSON, and reading them back.

The kernel that runs a submission is the student's: anything in it can be replaced. So the
test cells only *record* the raw answers, as an output of MIME type :data:`ANSWERS_MIME`;
``grader nbgrader grade`` reads them back from nbgrader's autograded notebook and grades them
in its own process. A forged record can change the answers graded, never the key or the score.

Numbers are written as ``repr`` text, so every float (NaN and infinity included) round-trips
exactly and the notebook stays valid JSON.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.core.grading import Raw

ANSWERS_MIME = "application/vnd.gdbp-grader.answers+json"
MAX_ANSWERS = 200


class RecordError(ValueError):
    """A record that cannot be read back; the message says why."""


def encode(question_id: str, answers: Mapping[str, Raw]) -> dict:
    """The record of one question's answers.

    >>> encode("q1", {"w_1": 0.5, "regime": "oscillating", "E_1": None})
    {'question': 'q1', 'answers': {'w_1': ['number', '0.5'], 'regime': ['text', 'oscillating']}}
    """
    out = {}
    for name, value in answers.items():
        if isinstance(value, float):
            out[name] = ["number", repr(value)]
        elif value is not None:
            out[name] = ["text", str(value)]
    return {"question": question_id, "answers": out}


def decode(record: object, question_id: str, known: tuple[str, ...]) -> dict[str, Raw]:
    """The raw answers of a record for ``question_id``; raises RecordError naming what is wrong.

    Only the answers in ``known`` are kept; anything else in the record is ignored, since the
    question does not ask it.

    >>> decode({"question": "q1", "answers": {"w_1": ["number", "0.5"]}}, "q1", ("w_1", "E_1"))
    {'w_1': 0.5}
    """
    if not isinstance(record, Mapping) or record.get("question") != question_id:
        raise RecordError(f"not a record of question {question_id}")
    answers = record.get("answers")
    if not isinstance(answers, Mapping) or len(answers) > MAX_ANSWERS:
        raise RecordError("no table of answers")
    raw: dict[str, Raw] = {}
    for name in known:
        item = answers.get(name)
        if item is None:
            continue
        if not (isinstance(item, list) and len(item) == 2 and item[0] in ("number", "text")
                and isinstance(item[1], str)):
            raise RecordError(f"answer {name!r} is not a number or text")
        try:
            raw[name] = float(item[1]) if item[0] == "number" else item[1]
        except ValueError:
            raise RecordError(f"answer {name!r} is not a number: {item[1][:40]!r}") from None
    return raw
