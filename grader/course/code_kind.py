"""The kind of a code question: the student hands in a .py file, run in the sandbox on the
exercise's hidden tests (:mod:`grader.code`).

:mod:`grader.code` and :mod:`grader.course.code_results` (which loads it) are imported where a
code question is graded or counted, not at the top: looking up a question's kind (a notebook
kernel does) never loads the sandbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.course.assignment import CodeQuestion
from grader.course.question_kinds import HandedIn, KeyEntry, Mistakes, Parts
from grader.course.sheets import sheet_message
from grader.text.messages import localized

if TYPE_CHECKING:
    from pathlib import Path

    from grader.core.grading import Expected
    from grader.core.variants import VariantKey
    from grader.course.rows import QuestionResult

MESSAGES: dict[str, dict[str, str]] = {
    "code_question": {
        "en": "Code exercise: {title}. Write the functions {functions} and hand in your file as {file}.",
        "zh": "代码练习:{title}。请实现函数 {functions},并把文件命名为 {file} 提交。",
    },
}


class CodeKind:
    """A code question: a .py file of the student's, graded by the exercise's hidden tests."""

    in_notebooks = False
    own_file = True

    def label(self, question: CodeQuestion) -> str:
        """``code: <exercise>``."""
        return f"code: {question.exercise}"

    def question_max(self, question: CodeQuestion) -> float:
        """The points of the exercise's hidden tests."""
        from grader.course.code_results import code_max

        return code_max(question.exercise)

    def answer_maxima(self, question: CodeQuestion) -> dict[str, float]:
        """Each hidden test's points."""
        from grader.course.code_results import code_tests

        return dict(code_tests(question.exercise))

    def sheet_ids(self, question: CodeQuestion) -> tuple[str, ...]:
        """None: the answer is the file."""
        return ()

    def grade(self, question: CodeQuestion, handed: HandedIn, lang: str) -> QuestionResult:
        """The result of the student's file; every test missing when none was handed in."""
        from grader.course.code_results import missing_code

        return handed.file_result or missing_code(question, lang)

    def grade_file(self, question: CodeQuestion, path: Path, lang: str, key: VariantKey) -> QuestionResult:
        """The file run in the sandbox on the hidden tests."""
        from grader.code import grade_code_file
        from grader.course.code_results import code_result

        return code_result(grade_code_file(path, question.exercise, lang, key=key))

    def key_entries(self, question: CodeQuestion, expected: Expected | None) -> list[KeyEntry]:
        """None: the hidden tests are the key."""
        return []

    def statement(self, question: CodeQuestion, expected: Expected | None, lang: str, file: str) -> str:
        """The exercise, the functions to write and the file to hand in."""
        from grader.code import get_exercise

        exercise = get_exercise(question.exercise)
        functions = ", ".join(f"`{f}`" for f in exercise.functions)
        return localized(MESSAGES, "code_question", lang, title=exercise.title[lang], functions=functions,
                         file=f"`{file}`") + "\n"

    def sheet_lines(self, question: CodeQuestion, lang: str, file: str) -> list[str]:
        """One comment naming the file to hand in."""
        return ["", f"# {sheet_message('sheet_code', lang, id=question.id, file=file)}"]

    def report_section(self, question: CodeQuestion, result: QuestionResult | None, heading: str,
                       lang: str) -> list[str] | None:
        """Whether the file ran, then the verdict on each hidden test."""
        from grader.course.code_results import CodeQuestionResult
        from grader.course.report import tests_table, text

        code = result if isinstance(result, CodeQuestionResult) else None
        intro = "code_not_graded" if code is None else "code_exercise" if code.ran else "code_no_file"
        out = [f"## {heading}", "", text(intro, lang, exercise=f"`{question.exercise}`"), ""]
        if code is not None:
            out += [f"### {text('tests', lang)}", "", tests_table(code, lang), ""]
        return out

    def parts(self, question: CodeQuestion, results: Sequence[QuestionResult]) -> tuple[Parts, Mistakes]:
        """Whether each student's file passed each hidden test; no named mistakes."""
        from grader.course.code_results import CodeQuestionResult

        files = [r for r in results if isinstance(r, CodeQuestionResult)]
        names = [t.name for t in files[0].tests] if files else []
        return [(name, [r.test(name).status == "passed" for r in files]) for name in names], []


KIND = CodeKind()
