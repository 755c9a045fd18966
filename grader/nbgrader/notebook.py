"""The nbgrader source notebook of an assignment: pure, an assignment file's text in, a notebook out.

One notebook serves every student; their numbers are made in the kernel from their id
(:mod:`grader.nbgrader.runtime`). Cells, in order:

* a read-only header (title, instructions);
* an ordinary code cell ``STUDENT_ID = ""`` (used only where there is no JupyterHub);
* a read-only code cell that embeds the assignment file, identifies the student and shows how;
* per question: a read-only title, a read-only code cell showing the student's own statement,
  an *autograded answer* cell (a template ``q1.pred_1 = ...`` followed by a
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region that fills in the student's key), and
  a locked *autograder test* cell worth the question's points whose last expression is the
  score (nbgrader's partial credit) and which prints the grader's feedback. A question marked
  ``hidden = true`` keeps its grading between ``### BEGIN HIDDEN TESTS`` and
  ``### END HIDDEN TESTS``; the student's copy only checks that the answers can be read.

Every nbgrader cell carries schema-3 metadata; nbgrader's ``generate_assignment`` turns the
notebook into the student version unchanged.
"""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.assignment import Assignment, Question, parse_assignment
from grader.family import Answer
from grader.nbgrader.layout import HEADER_CELL, IDENTITY_CELL, asked, cell_ids, question_points, variables
from grader.nbgrader.messages import message

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
MAX_SYMBOLS_SHOWN = 6


def source_notebook(text: str) -> NotebookNode:
    """The source notebook of the assignment file ``text`` (raises AssignmentError for a bad file)."""
    assignment = parse_assignment(text)
    lang = assignment.lang
    cells = [
        _cell(new_markdown_cell(f"# {assignment.title}\n\n{message('intro', lang)}"), HEADER_CELL),
        _plain(new_code_cell(f"# {message('student_id_cell', lang)}\nSTUDENT_ID = \"\""), "student_id"),
        _cell(new_code_cell(identity_source(text)), IDENTITY_CELL),
    ]
    stems = cell_ids(assignment)
    names = variables(assignment)
    for q in assignment.questions:
        cells += question_cells(q, stems[q.id], names[q.id], lang)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def identity_source(text: str) -> str:
    """The identity cell: the assignment file, embedded, and the call that finds the student."""
    return (
        "from grader.nbgrader.runtime import setup\n\n"
        f"ASSIGNMENT = {python_string(text)}\n\n"
        'hw = setup(ASSIGNMENT, student_id=globals().get("STUDENT_ID"))\n'
        "hw"
    )


def python_string(text: str) -> str:
    """A Python literal for ``text``: triple-quoted when that is safe (readable TOML), else ``repr``."""
    if '"""' in text or "\\" in text or text.endswith('"') or "\r" in text:
        return repr(text)
    return f'"""{text}"""'


def question_cells(question: Question, stem: str, variable: str, lang: str) -> list[NotebookNode]:
    """The four cells of one question: title, statement, answers, test."""
    points = question_points(question)
    title = message("question_title", lang, question=question.id, points=f"{points:g}")
    return [
        _cell(new_markdown_cell(f"## {title}"), f"{stem}_title"),
        _cell(new_code_cell(f"hw.show({question.id!r})"), f"{stem}_statement"),
        _cell(new_code_cell(answers_source(question, variable, lang)), f"{stem}_answers", solution=True),
        _cell(new_code_cell(test_source(question, points, lang)), f"{stem}_test", points=points),
    ]


def answers_source(question: Question, variable: str, lang: str) -> str:
    """The answer cell: a template with one ``...`` per answer, then the solution region."""
    lines = [f"# {message('answers_cell', lang)}", f"{variable} = hw.answers({question.id!r})"]
    step = None
    for answer in asked(question):
        if answer.step != step:
            step = answer.step
            lines.append(f"# {step}")
        target = f"{variable}.{answer.id}" if answer.id.isidentifier() else f"{variable}[{answer.id!r}]"
        lines.append(f"{target} = ...  # {_hint(question, answer, lang)}")
    lines += ["### BEGIN SOLUTION", f"{variable}.fill(hw.solution({question.id!r}))", "### END SOLUTION"]
    return "\n".join(lines)


def test_source(question: Question, points: float, lang: str) -> str:
    """The test cell: its last expression is the score; hidden questions grade in a hidden region."""
    if not question.hidden:
        comment = message("test_cell", lang, question=question.id, points=f"{points:g}")
        return f"# {comment}\nhw.grade({question.id!r})"
    comment = message("hidden_test_cell", lang, question=question.id)
    return (f"# {comment}\nhw.check_format({question.id!r})\n"
            f"### BEGIN HIDDEN TESTS\nhw.grade({question.id!r})\n### END HIDDEN TESTS")


def _hint(question: Question, answer: Answer, lang: str) -> str:
    if answer.kind == "choice":
        return message("hint_choice", lang, options=", ".join(answer.options))
    if answer.kind == "symbolic":
        symbols = question.family.derivation().symbolic[answer.id].symbols
        if len(symbols) > MAX_SYMBOLS_SHOWN:
            return message("hint_formula", lang)
        return message("hint_symbolic", lang, symbols=", ".join(symbols))
    return message("hint_numeric", lang)


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
