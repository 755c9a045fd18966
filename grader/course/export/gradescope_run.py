"""Gradescope's side of the bundle: grade one submission, write ``results/results.json``.

Run by the bundle's ``run_autograder`` as ``python -m grader.course.export.gradescope_run --root
/autograder``. The files are read here; what is graded and what is written come from
:func:`grader.code.grade_code_file` and :func:`grader.course.export.gradescope.results_json`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from grader.code import grade_code_file
from grader.course.assignment import Assignment, code_questions, parse_assignment
from grader.course.export.gradescope import results_json, text


def code_files(assignment: Assignment, submission: Path, lang: str) -> dict[str, Path | str]:
    """Each code question's file: the only .py file, or ``<question>.py`` when there are several
    code questions; else the reason in words. Symbolic links are not the student's files."""
    inside = submission.resolve()
    files = sorted(p for p in submission.rglob("*.py")  # a link (to the solutions, say) is not the student's file
                   if p.is_file() and not p.is_symlink() and inside in p.resolve().parents)
    questions = [q.id for q in code_questions(assignment)]
    found: dict[str, Path | str] = {}
    for q in questions:
        named = [p for p in files if p.stem == q or p.stem.endswith(f"_{q}")]
        if len(questions) == 1 and len(files) == 1:
            found[q] = files[0]
        elif len(named) == 1:
            found[q] = named[0]
        elif not files:
            found[q] = text("no_file", lang, question=q, expected=f"{q}.py")
        else:
            found[q] = text("which_file", lang, question=q, expected=f"{q}.py",
                            files=", ".join(p.name for p in files))
    return found


def main(argv: list[str] | None = None) -> None:
    """Grade ``ROOT/submission`` and write ``ROOT/results/results.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    root = parser.parse_args(argv).root
    source = root / "source"
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    lang, field = config.get("lang", "en"), config["id_field"]
    assignment = parse_assignment((source / "assignment.toml").read_text(encoding="utf-8"))
    try:
        users = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8")).get("users") or []
        student = str(users[0].get(field) or "").strip() if users else ""
    except (OSError, ValueError, AttributeError):
        users, student = [], ""
    if not student:
        results = results_json({}, (text("no_student", lang, field=field),), config["visibility"])
    else:
        notes = [text("graded_as", lang, student=student)]
        if len(users) > 1:
            notes.append(text("group", lang, student=student))
        graded = {}
        codes = {q.id: q for q in code_questions(assignment)}
        for q, found in code_files(assignment, root / "submission", lang).items():
            question = codes[q]
            graded[q] = found if isinstance(found, str) else grade_code_file(
                found, question.exercise, lang, key=assignment.key(student, question))
        results = results_json(graded, tuple(notes), config["visibility"])
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
