"""Gradescope autograder bundle for an assignment's code questions.

Gradescope unzips the bundle into ``/autograder/source``, runs ``setup.sh`` once to build the
image, then ``run_autograder`` for every submission: the student's files are in
``/autograder/submission``, who submitted in ``/autograder/submission_metadata.json``
(``users[].sid``, ``email``, ``name``), and the script must write
``/autograder/results/results.json``: ``{"score", "tests": [{"name", "score", "max_score",
"output", "visibility"}], "output", "visibility"}``.

The bundle carries this package's own source with the reference solutions as
``grader/solutions`` (the hidden tests compare with them; the sandbox keeps them from the
student), the assignment file and ``config.json`` (which metadata field holds the grader's
student id, ``sid`` by default, from ``--id-column``). The runner
(:mod:`grader.course.export.gradescope_run`) grades each code question with the same hidden tests,
sandbox and per-student variants as ``grader grade``.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grader
from grader.code import CodeResult
from grader.code.exercises.base import solutions_folder
from grader.course.export.base import Export, Exporter, ExportError, ExportRequest, needed, say
from grader.course.question_kinds import question_kind
from grader.text.messages import localized

VISIBILITY = "visible"  # the grader's reports show every hidden test's verdict too
ID_FIELDS = ("sid", "email", "name", "id")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -r /autograder/source/requirements.txt
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${GRADER_PYTHON:-/autograder/venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
PYTHONPATH="$ROOT/source" exec "$PYTHON" -m grader.course.export.gradescope_run --root "$ROOT"
"""

TEXT = {
    "no_student": {"en": "Your Gradescope account has no {field}, so your own numbers cannot be chosen: "
                         "nothing was graded. Ask your teacher.",
                   "zh": "你的 Gradescope 账户没有 {field},无法确定你的题目数据:没有评分。请联系老师。"},
    "no_file": {"en": "No Python file for question {question}: hand in {expected}.",
                "zh": "第 {question} 题没有 Python 文件:请提交 {expected}。"},
    "which_file": {"en": "Several Python files ({files}); name the file for question {question} {expected}.",
                   "zh": "有多个 Python 文件({files});请把第 {question} 题的文件命名为 {expected}。"},
    "graded_as": {"en": "Graded as student {student}.", "zh": "按学生 {student} 评分。"},
    "group": {"en": "A group submission: graded with the numbers of {student}, the first member.",
              "zh": "小组提交:按第一位成员 {student} 的题目数据评分。"},
}


def text(key: str, lang: str, **fields: object) -> str:
    """A message of the Gradescope runner in ``lang``."""
    return localized(TEXT, key, lang, **fields)


def results_json(results: Mapping[str, CodeResult | str], notes: tuple[str, ...] = (),
                 visibility: str = VISIBILITY) -> dict:
    """Gradescope's ``results.json`` for one submission.

    ``results`` maps each code question to its hidden tests' result, or to the reason it
    could not run (then its tests are not listed and it scores 0).
    """
    tests: list[dict[str, Any]] = []
    output = list(notes)
    for question, result in results.items():
        if isinstance(result, str):
            output.append(result)
            continue
        tests += [{"name": f"{question} {t.name}: {t.title}", "score": t.score, "max_score": t.max,
                   "output": t.message, "visibility": visibility} for t in result.tests]
    score = round(sum(t["score"] for t in tests), 6)
    return {"score": score, "tests": tests, "output": "\n".join(output), "visibility": visibility,
            "stdout_visibility": "hidden"}


def _requirements() -> str:
    """The package's own dependencies (no extras), one per line."""
    required = importlib.metadata.requires("gdbp-grader") or []
    return "\n".join(r for r in required if "extra ==" not in r) + "\n"


PACKAGE_FILES = ("*.py", "*.toml")  # the code, and the families declared as data (grader/declared/families)


def _sources() -> list[tuple[str, bytes]]:
    """This package with its reference solutions (``grader/solutions``), as (path in the bundle, bytes)."""
    package = Path(grader.__file__).resolve().parent
    files = [(path, f"grader/{path.relative_to(package).as_posix()}")
             for pattern in PACKAGE_FILES for path in package.rglob(pattern)]
    solutions = solutions_folder()
    if solutions is not None and package not in solutions.parents:  # an editable install: solutions/ beside
        files += [(path, f"grader/solutions/{path.name}") for path in solutions.glob("*.py")]
    return sorted((name, path.read_bytes()) for path, name in files if "__pycache__" not in path.parts)


def bundle(entries: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of (name, bytes, mode) with fixed timestamps: the same inputs give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def build(request: ExportRequest) -> Export:
    """The autograder zip of an assignment: ``<assignment>_gradescope.zip``."""
    assignment = needed(request.assignment, "gradescope", "ASSIGNMENT", request.lang)
    if not any(question_kind(q).own_file for q in assignment.questions):  # the autograder grades files
        raise ExportError(say("no_code", request.lang, assignment=assignment.id))
    field = request.id_column or "sid"
    if field not in ID_FIELDS:
        raise ExportError(say("id_field", request.lang, fields=", ".join(ID_FIELDS), field=field))
    config = {"id_field": field, "lang": request.lang, "visibility": VISIBILITY}
    entries = [("setup.sh", SETUP.encode(), 0o755), ("run_autograder", RUN.encode(), 0o755),
               ("assignment.toml", request.assignment_text.encode("utf-8"), 0o644),
               ("config.json", json.dumps(config, indent=1).encode(), 0o644),
               ("requirements.txt", _requirements().encode(), 0o644)]
    entries += [(name, data, 0o644) for name, data in _sources()]
    return Export({f"{assignment.id}_gradescope.zip": bundle(entries)})


EXPORTER = Exporter(
    "gradescope",
    {"en": "Gradescope autograder zip for the code questions (--id-column: sid or email)",
     "zh": "代码题的 Gradescope 自动评分包(--id-column:sid 或 email)"},
    (),
    build,
)
