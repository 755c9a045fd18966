"""The nbgrader source notebook of an assignment: pure, an assignment file's text in, a notebook out.

One notebook serves every student. A *graded* notebook (the default) embeds the assignment
file without its salt and a table of each student's parameters, computed here for the course's
student list: the kernel shows a student their own numbers without the salt, and holds no key
(:mod:`grader.nbgrader.runtime`). A *practice* notebook embeds the whole file and fills in
the key; it is for self-study only. Cells, in order:

* a read-only header (title, instructions);
* an ordinary code cell ``STUDENT_ID = ""`` (used only where there is no JupyterHub);
* a read-only code cell that embeds the file (and the numbers), identifies the student and shows how;
* per question: a read-only title, a read-only code cell showing the student's own statement,
  an *autograded answer* cell (a template ``q1.pred_1 = ...`` followed by a
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region, the key only in practice), and a locked
  *autograder test* cell worth the question's points. While the student works, its last
  expression is the score (nbgrader's partial credit, which ``nbgrader validate`` reports) and
  it prints the grader's feedback; while nbgrader autogrades, it records the answers for
  ``grader nbgrader grade``. A question marked ``hidden = true`` keeps its check between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``; the student's copy only checks that
  the answers can be read.

Every nbgrader cell carries schema-3 metadata; nbgrader's ``generate_assignment`` turns the
notebook into the student version unchanged.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.core.family import Answer
from grader.core.variants import decimal_text, generate
from grader.course.assignment import (
    Assignment,
    AssignmentError,
    FamilyQuestion,
    asked_answers,
    family_questions,
    parse_assignment,
)
from grader.nbgrader.identity import normalize_id
from grader.nbgrader.layout import (
    HEADER_CELL,
    IDENTITY_CELL,
    NOTEBOOK_METADATA,
    STUDENT_ID_CELL,
    cell_ids,
    question_points,
    refuse_code_questions,
    variables,
)
from grader.nbgrader.messages import message

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
MAX_SYMBOLS_SHOWN = 6
SALT_LINE = re.compile(r"\s*salt\s*=")


def source_notebook(text: str, students: Sequence[str] = (), *, practice: bool = False) -> NotebookNode:
    """The source notebook of the assignment file ``text`` for the ids ``students``.

    Raises AssignmentError for a bad file, a graded notebook without a salt or without students.
    """
    assignment = parse_assignment(text)
    lang = assignment.lang
    refuse_code_questions(assignment)
    identity = identity_source(text) if practice else graded_identity_source(assignment, text, students)
    cells = [
        _cell(new_markdown_cell(f"# {assignment.title}\n\n{message('intro', lang)}"), HEADER_CELL),
        _plain(new_code_cell(f"# {message('student_id_cell', lang)}\nSTUDENT_ID = \"\""), STUDENT_ID_CELL),
        _cell(new_code_cell(identity), IDENTITY_CELL),
    ]
    stems = cell_ids(assignment)
    names = variables(assignment)
    for q in family_questions(assignment):
        cells += question_cells(q, stems[q.id], names[q.id], lang, practice)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        NOTEBOOK_METADATA: {"assignment": assignment.id, "practice": practice},
    })
    nbformat.validate(nb)
    return nb


def identity_source(text: str) -> str:
    """A practice notebook's identity cell: the whole assignment file, salt included, embedded."""
    return (
        "from grader.nbgrader.runtime import setup\n\n"
        f"ASSIGNMENT = {python_string(text)}\n\n"
        'hw = setup(ASSIGNMENT, student_id=globals().get("STUDENT_ID"))\n'
        "hw"
    )


def graded_identity_source(assignment: Assignment, text: str, students: Sequence[str]) -> str:
    """A graded notebook's identity cell: the file without its salt, and each student's numbers."""
    if not assignment.salt:
        raise AssignmentError("a graded notebook needs a secret salt, or anyone with the package can compute every "
                              f"student's numbers from the ids: add salt = \"{secrets.token_hex(8)}\" to the file")
    ids = sorted({i for i in map(normalize_id, students) if i is not None})
    if not ids:
        raise AssignmentError("no students: add them to nbgrader's gradebook (nbgrader db student add ID) "
                              "or give a roster")
    table = ",\n".join(f"    {json.dumps(s, ensure_ascii=False)}: {json.dumps(n, ensure_ascii=False)}"
                        for s, n in student_numbers(assignment, ids).items())
    return (
        "from grader.nbgrader.runtime import setup\n\n"
        f"ASSIGNMENT = {python_string(public_text(text))}\n\n"
        f"NUMBERS = {{\n{table}\n}}\n\n"
        'hw = setup(ASSIGNMENT, student_id=globals().get("STUDENT_ID"), numbers=NUMBERS)\n'
        "hw"
    )


def student_numbers(assignment: Assignment, students: Sequence[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Each student's parameters per question, as exact decimal text (no key: only what the statement shows)."""
    table: dict[str, dict[str, dict[str, str]]] = {s: {} for s in students}
    for q in family_questions(assignment):
        for s, v in zip(students, generate(q.family, [assignment.key(s, q) for s in students]), strict=True):
            table[s][q.id] = {k: decimal_text(x) for k, x in v.numbers.items()}
    return table


def public_text(text: str) -> str:
    """The assignment file without its ``salt`` line, checked to be the same file otherwise.

    >>> public_text('id = "hw1"\\nsalt = "s3cret"  # keep it\\n[[questions]]\\nfamily = "gd_linear"\\n')
    'id = "hw1"\\n[[questions]]\\nfamily = "gd_linear"\\n'
    """
    original = parse_assignment(text)
    if not original.salt:
        return text
    lines = text.splitlines(keepends=True)
    tables = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")] + [len(lines)]
    kept = [line for i, line in enumerate(lines) if i >= tables[0] or not SALT_LINE.match(line)]
    public = "".join(kept)
    try:
        stripped = parse_assignment(public)
    except AssignmentError:
        stripped = None
    if stripped != replace(original, salt="") or original.salt in public:
        raise AssignmentError("write the salt on one line of its own before the first [[questions]], and choose "
                              "one that appears nowhere else in the file, e.g. "
                              f"salt = \"{secrets.token_hex(8)}\"")
    return public


def python_string(text: str) -> str:
    """A Python literal for ``text``: triple-quoted when that is safe (readable TOML), else ``repr``."""
    if '"""' in text or "\\" in text or text.endswith('"') or "\r" in text:
        return repr(text)
    return f'"""{text}"""'


def question_cells(question: FamilyQuestion, stem: str, variable: str, lang: str,
                   practice: bool = False) -> list[NotebookNode]:
    """The four cells of one question: title, statement, answers, test."""
    points = question_points(question)
    title = message("question_title", lang, question=question.id, points=f"{points:g}")
    return [
        _cell(new_markdown_cell(f"## {title}"), f"{stem}_title"),
        _cell(new_code_cell(f"hw.show({question.id!r})"), f"{stem}_statement"),
        _cell(new_code_cell(answers_source(question, variable, lang, practice)), f"{stem}_answers", solution=True),
        _cell(new_code_cell(test_source(question, points, lang)), f"{stem}_test", points=points),
    ]


def answers_source(question: FamilyQuestion, variable: str, lang: str, practice: bool = False) -> str:
    """The answer cell: a template with one ``...`` per answer, then the solution region.

    Only a practice notebook fills the region with the key; a graded one holds no key anywhere.
    """
    lines = [f"# {message('answers_cell', lang)}", f"{variable} = hw.answers({question.id!r})"]
    step = None
    for answer in asked_answers(question):
        if answer.step != step:
            step = answer.step
            lines.append(f"# {step}")
        target = f"{variable}.{answer.id}" if answer.id.isidentifier() else f"{variable}[{answer.id!r}]"
        hint = INPUT_HINTS.get(answer.kind)
        lines.append(f"{target} = ...  # {hint(question, answer, lang)}" if hint else f"{target} = ...")
    solution = f"{variable}.fill(hw.solution({question.id!r}))" if practice else f"# {message('no_key', lang)}"
    lines += ["### BEGIN SOLUTION", solution, "### END SOLUTION"]
    return "\n".join(lines)


def test_source(question: FamilyQuestion, points: float, lang: str) -> str:
    """The test cell: its last expression is the score; hidden questions grade in a hidden region."""
    if not question.hidden:
        comment = message("test_cell", lang, question=question.id, points=f"{points:g}")
        return f"# {comment}\nhw.grade({question.id!r})"
    comment = message("hidden_test_cell", lang, question=question.id)
    return (f"# {comment}\nhw.check_format({question.id!r})\n"
            f"### BEGIN HIDDEN TESTS\nhw.grade({question.id!r})\n### END HIDDEN TESTS")


def _choice_hint(question: FamilyQuestion, answer: Answer, lang: str) -> str:
    return message("hint_choice", lang, options=", ".join(answer.options))


def _formula_hint(question: FamilyQuestion, answer: Answer, lang: str) -> str:
    symbols = question.family.derivation().symbolic[answer.id].symbols
    if len(symbols) > MAX_SYMBOLS_SHOWN:
        return message("hint_formula", lang)
    return message("hint_symbolic", lang, symbols=", ".join(symbols))


def _number_hint(question: FamilyQuestion, answer: Answer, lang: str) -> str:
    return message("hint_numeric", lang)


# What an answer cell's comment says to type, by answer kind name; a kind missing here gets no comment.
INPUT_HINTS: dict[str, Callable[[FamilyQuestion, Answer, str], str]] = {
    "numeric": _number_hint, "symbolic": _formula_hint, "choice": _choice_hint,
}


def _cell(cell: NotebookNode, grade_id: str, *, solution: bool = False, points: float | None = None) -> NotebookNode:
    """Give a cell nbgrader's metadata: read-only by default, an answer cell, or a test cell with points."""
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = grade_id
    return cell


def _plain(cell: NotebookNode, cell_id: str) -> NotebookNode:
    cell.id = cell_id
    return cell


def source_path(assignment: Assignment) -> str:
    """Where nbgrader expects the notebook, relative to the course directory."""
    return f"source/{assignment.id}/{assignment.id}.ipynb"
