"""The instructor's side: the course's own nbgrader configuration, clear refusals, flags kept in comments."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("nbgrader")

from click.testing import CliRunner  # noqa: E402

from grader.cli import main  # noqa: E402
from grader.core.grading import expectation  # noqa: E402
from grader.core.variants import decimal_text, generate  # noqa: E402
from grader.course.assignment import parse_assignment  # noqa: E402
from grader.nbgrader.course import comment_flags, comment_html, course_directory, gradebook  # noqa: E402
from grader.nbgrader.regrade import regrade  # noqa: E402

ASSIGNMENT = 'id = "hw1"\nsalt = "course-test-salt"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\n'
STRUCTURE = "{nbgrader_step}/{assignment_id}/{student_id}"


@pytest.fixture
def course(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{tmp_path / 'gradebook.db'}'\n"
        f"c.CourseDirectory.directory_structure = {STRUCTURE!r}\n")
    (course / "hw1.toml").write_text(ASSIGNMENT)
    return course


def test_the_layout_is_nbgraders_own_configuration(course):
    coursedir = course_directory(course)
    assert coursedir.root == str(course.resolve())
    assert coursedir.format_path("autograded", "bob", "hw1") == str(course.resolve() / "autograded" / "hw1" / "bob")


def test_grading_before_autograde_says_what_to_run(course):
    result = CliRunner().invoke(main, ["nbgrader", "grade", str(course / "hw1.toml"), "--course", str(course)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "run nbgrader generate_assignment and nbgrader autograde first" in result.output


def test_a_broken_course_configuration_is_named(course):
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.root = undefined_name\n")
    result = CliRunner().invoke(main, ["nbgrader", "grade", str(course / "hw1.toml"), "--course", str(course)])
    assert result.exit_code == 1 and "nbgrader_config.py cannot be loaded" in result.output


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own add_submission
def test_a_notebook_this_file_did_not_write_is_reported_not_dropped(course):
    with gradebook(course_directory(course)) as gb:
        gb.add_assignment("hw1")
        gb.add_notebook("extra", "hw1")
        gb.add_grade_cell("essay", "extra", "hw1", max_score=5, cell_type="markdown")
        gb.add_student("bob")
        gb.add_submission("hw1", "bob")
    result = CliRunner().invoke(main, ["nbgrader", "grade", str(course / "hw1.toml"), "--course", str(course)])
    assert result.exit_code == 0, result.output
    assert "bob  extra: not graded, it has no test cell q1_test" in result.output


@pytest.mark.parametrize("flags", [
    ("one",), ("a -- b --> c <!-- d", "需要老师复核:'alice'"), ("<script>alert(1)</script>", "x\ny"),
])
def test_flags_survive_the_comment_they_are_kept_in(flags):
    assignment = parse_assignment(ASSIGNMENT)
    q = assignment.question("q1")
    graded = regrade(assignment, "bob", {"cells": []},
                     lambda s, question: expectation(generate(question.family, [assignment.key(s, question)])[0]))
    comment = comment_html(flags, graded.questions[0], "en")
    assert comment_flags(comment) == list(flags)
    assert comment.count("-->") == 1 and "<script>" not in comment  # one HTML comment, nothing injected
    v = generate(q.family, [assignment.key("bob", q)])[0]
    assert f"<mn>{decimal_text(v.numbers['x'])}</mn>" in comment  # the worked solution with bob's x, in MathML
    assert comment_flags("a teacher's own comment") == [] and comment_flags(None) == []


@pytest.mark.parametrize("lang, words", [("en", "graded by `grader code`"), ("zh", "代码题(q2)由 `grader code` 评分")])
def test_an_assignment_with_a_code_question_is_refused_with_a_message_not_a_traceback(tmp_path, lang, words):
    """A notebook holds family questions only: making one, or grading a course with such a file, says why."""
    from grader.course.assignment import AssignmentError
    from grader.nbgrader.course import CourseError, grade_assignment
    from grader.nbgrader.notebook import source_notebook

    text = (f'id = "hw"\nsalt = "a-salt-of-more-than-twenty-chars"\nlang = "{lang}"\n'
            '[[questions]]\nid = "q1"\nfamily = "gd_linear"\n[[questions]]\nid = "q2"\ncode = "sigmoid"\n')
    with pytest.raises(AssignmentError, match=re.escape(words)):
        source_notebook(text, ["s1"])
    with pytest.raises(CourseError, match=re.escape(words)):
        grade_assignment(parse_assignment(text), tmp_path / "course")
