"""A code question's result is its own record (CodeQuestionResult): each hidden test's name, status,
points and message, read as such by the gradebook, the summary, the item analysis, overrides and
the report. Expected values are written out by hand from the exercise's declared tests."""

from __future__ import annotations

import json

import pytest

from grader.code.grade_code import CodeResult, TestResult
from grader.course.assignment import CodeQuestion, parse_assignment
from grader.course.code_results import CodeQuestionResult, code_result, code_tests, missing_code
from grader.course.gradebook import row_json
from grader.course.item_analysis import long_rows
from grader.course.overrides import Override, OverrideError, apply_overrides, parse_overrides
from grader.course.report import QuestionOutcome, student_report
from grader.course.roster import Student
from grader.course.rows import Row
from grader.course.summary import summary

ASSIGNMENT = parse_assignment('id = "hw"\ntitle = "Code"\n[[questions]]\nid = "q1"\ncode = "sigmoid"\n')
QUESTION = ASSIGNMENT.questions[0]
# grader/code/exercises/sigmoid.py declares these tests and points
SIGMOID = (("sigmoid_values", 2.0), ("sigmoid_shapes", 1.0), ("sigmoid_extremes", 1.0),
           ("sigmoid_prime_values", 2.0), ("sigmoid_prime_fd", 1.0))


def ran() -> CodeQuestionResult:
    """One student's file on the five tests: passed, partial, failed, error, passed."""
    tests = (
        TestResult("sigmoid_values", "sigmoid on 5 points", "passed", 2.0, 2.0, ""),
        TestResult("sigmoid_shapes", "shapes", "partial", 0.5, 1.0, "a (3,) array for (3, 1)"),
        TestResult("sigmoid_extremes", "extremes", "failed", 0.0, 1.0, "nan at -800"),
        TestResult("sigmoid_prime_values", "sigmoid' values", "error", 0.0, 2.0, "ZeroDivisionError"),
        TestResult("sigmoid_prime_fd", "finite differences", "passed", 1.0, 1.0, ""),
    )
    return code_result(CodeResult("sigmoid", tests, 3.5, 7.0))


def test_the_code_graders_tests_become_the_questions_tests_with_their_own_status():
    result = ran()
    assert isinstance(QUESTION, CodeQuestion)
    assert [(t.name, t.status, t.score, t.max) for t in result.tests] == [
        ("sigmoid_values", "passed", 2.0, 2.0), ("sigmoid_shapes", "partial", 0.5, 1.0),
        ("sigmoid_extremes", "failed", 0.0, 1.0), ("sigmoid_prime_values", "error", 0.0, 2.0),
        ("sigmoid_prime_fd", "passed", 1.0, 1.0)]
    assert result.test("sigmoid_shapes").message == "shapes: a (3,) array for (3, 1)"
    assert result.test("sigmoid_values").message == "sigmoid on 5 points"  # no message: the title alone
    assert (result.score, result.max, result.ran) == (3.5, 7.0, True)
    assert [t.verdict for t in result.tests] == ["correct", "incorrect", "incorrect", "invalid", "correct"]


def test_a_missing_file_is_every_declared_test_missing_in_the_students_language():
    assert code_tests("sigmoid") == SIGMOID
    for lang, words in (("en", "No file handed in."), ("zh", "没有提交文件。")):
        result = missing_code(QUESTION, lang)
        assert [(t.name, t.max) for t in result.tests] == list(SIGMOID)
        assert {(t.status, t.score, t.message, t.verdict) for t in result.tests} == {(
            "missing", 0.0, words, "missing")}
        assert (result.score, result.max, result.ran) == (0.0, 7.0, False)


def graded_row(result: CodeQuestionResult) -> Row:
    return Row(Student("s1"), "graded", ("s1.py",), None, (("q1", result),), (("q1", 7.0),))


def test_the_gradebook_summary_and_item_analysis_read_the_tests():
    row = graded_row(ran())
    answers = json.loads(json.dumps(row_json(row, "en")))["questions"]["q1"]["answers"]
    assert answers["sigmoid_shapes"] == {"status": "incorrect", "score": 0.5, "max": 1.0, "mistake": None,
                                         "carried_forward": False, "given": ""}
    assert answers["sigmoid_prime_values"]["status"] == "invalid"
    other = graded_row(missing_code(QUESTION))
    overview = summary(ASSIGNMENT, [row, other])
    shares = dict(overview.questions[0].answers)
    assert shares == {"sigmoid_values": 0.5, "sigmoid_shapes": 0.0, "sigmoid_extremes": 0.0,
                      "sigmoid_prime_values": 0.0, "sigmoid_prime_fd": 0.5}
    assert overview.mistakes == () and overview.scores == (0.0, 3.5)
    assert long_rows([row])[1] == ("s1", "q1", "sigmoid_shapes", "incorrect", 0.5, 1.0, "", False)


def test_overriding_a_test_or_the_total_of_a_code_question():
    overrides = parse_overrides("student,question,answer,points,reason\n"
                                "s1,q1,sigmoid_extremes,1,checked by hand\n", ASSIGNMENT, ["s1"])
    row = apply_overrides(graded_row(ran()), overrides)
    result = dict(row.results or ())["q1"]
    assert isinstance(result, CodeQuestionResult)
    extremes = result.test("sigmoid_extremes")
    assert (extremes.status, extremes.score, row.score) == ("failed", 1.0, 4.5)
    assert extremes.message == "Changed by your teacher to 1 (was 0): checked by hand\nextremes: nan at -800"
    total = apply_overrides(graded_row(ran()), [Override(2, "s1", "q1", "total", 6.0, "re-run by hand")])
    result = dict(total.results or ())["q1"]
    assert isinstance(result, CodeQuestionResult) and result.tests == ran().tests
    assert (result.score, total.score) == (6.0, 6.0)


def test_an_override_names_a_declared_test_of_the_code_question_within_its_points():
    with pytest.raises(OverrideError, match="sigmoid_speed.*sigmoid_prime_fd"):
        parse_overrides("student,question,answer,points,reason\ns1,q1,sigmoid_speed,1,x\n", ASSIGNMENT, ["s1"])
    with pytest.raises(OverrideError, match="line 2"):  # sigmoid_values is worth 2
        parse_overrides("student,question,answer,points,reason\ns1,q1,sigmoid_values,3,x\n", ASSIGNMENT, ["s1"])
    assert parse_overrides("student,question,answer,points,reason\ns1,q1,sigmoid_values,2,x\n", ASSIGNMENT, ["s1"])


def test_the_report_shows_each_tests_verdict():
    report = student_report(ASSIGNMENT, "s1", [QuestionOutcome(QUESTION, None, ran())], "en")
    lines = [line for line in report.splitlines() if line.startswith("| `")]
    assert lines == [
        "| `sigmoid_values` | correct | 2 / 2 | sigmoid on 5 points |",
        "| `sigmoid_shapes` | partly correct | 0.5 / 1 | shapes: a (3,) array for (3, 1) |",
        "| `sigmoid_extremes` | incorrect | 0 / 1 | extremes: nan at -800 |",
        "| `sigmoid_prime_values` | error | 0 / 2 | sigmoid' values: ZeroDivisionError |",
        "| `sigmoid_prime_fd` | correct | 1 / 1 | finite differences |",
    ]
    assert "your file was run on hidden tests" in report
    missing = student_report(ASSIGNMENT, "s1", [QuestionOutcome(QUESTION, None, missing_code(QUESTION))], "en")
    assert "no file was handed in" in missing
    assert "| `sigmoid_values` | missing | 0 / 2 | No file handed in. |" in missing
