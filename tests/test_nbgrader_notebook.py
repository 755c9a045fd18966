"""The source notebook: valid for nbformat and nbgrader, one set of cells per question, the file embedded."""

from __future__ import annotations

import ast
import re
import string

import pytest
from click.testing import CliRunner

nbformat = pytest.importorskip("nbformat")

from fractions import Fraction  # noqa: E402

from grader.cli import main  # noqa: E402
from grader.core.variants import generate  # noqa: E402
from grader.course.assignment import AssignmentError, parse_assignment  # noqa: E402
from grader.nbgrader.messages import LANGS, MESSAGES, STATUS  # noqa: E402
from grader.nbgrader.notebook import public_text, python_string, source_notebook  # noqa: E402

SALT = "q7-secret-salt"
STUDENTS = ("alice", "bob", "华罗庚")
ASSIGNMENT = """
id = "hw1"
title = "Descent"
salt = "q7-secret-salt"  # never shown to students

[[questions]]
id = "q1"
family = "gd_linear"
points = { w_2 = 3 }

[[questions]]
id = "2"
family = "backprop_222"
answers = ["o1", "delta_o1_expr"]
hidden = true
"""


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def by_id(nb) -> dict:
    return {nbgrader_meta(c).get("grade_id", c.get("id")): c for c in nb.cells}


def test_notebook_is_valid_for_nbformat_and_nbgrader():
    nb = source_notebook(ASSIGNMENT, STUDENTS)
    nbformat.validate(nb)
    validator = pytest.importorskip("nbgrader.nbgraderformat").MetadataValidator()
    validator.validate_nb(nb)
    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids))


def test_cells_in_order_with_their_roles():
    nb = source_notebook(ASSIGNMENT, STUDENTS)
    roles = [(c.get("id"), c.cell_type, _role(c)) for c in nb.cells]
    assert roles == [
        ("grader_header", "markdown", "read-only"),
        ("student_id", "code", "plain"),
        ("grader_identity", "code", "read-only"),
        ("q1_title", "markdown", "read-only"),
        ("q1_statement", "code", "read-only"),
        ("q1_answers", "code", "answer"),
        ("q1_test", "code", "test"),
        ("q2_title", "markdown", "read-only"),
        ("q2_statement", "code", "read-only"),
        ("q2_answers", "code", "answer"),
        ("q2_test", "code", "test"),
    ]


def _role(cell) -> str:
    meta = nbgrader_meta(cell)
    if not meta:
        return "plain"
    if meta["grade"] and meta["locked"] and not meta["solution"]:
        return "test"
    if meta["solution"] and not meta["grade"] and not meta["locked"]:
        return "answer"
    return "read-only" if meta["locked"] and not meta["grade"] else "other"


def test_points_are_the_questions_points():
    cells = by_id(source_notebook(ASSIGNMENT, STUDENTS))
    # gd_linear: the formula 2, eight epoch values 1 each (w_2 raised to 3), eta_max 1, regime 1
    assert cells["q1_test"].metadata["nbgrader"]["points"] == 2 + 7 + 3 + 1 + 1
    # backprop_222, two answers: o1 1, the delta formula 2
    assert cells["q2_test"].metadata["nbgrader"]["points"] == 3
    assert "(14 points)" in cells["q1_title"].source and "(3 points)" in cells["q2_title"].source


def test_answer_cell_is_a_template_then_the_solution():
    cells = by_id(source_notebook(ASSIGNMENT, STUDENTS))
    q1 = cells["q1_answers"].source
    template = re.findall(r"^q1\.(\w+) = \.\.\.", q1, flags=re.M)
    assert template == ["dE_dw_expr", "pred_1", "E_1", "grad_1", "w_1", "pred_2", "E_2", "grad_2", "w_2",
                        "eta_max", "regime"]
    lines = q1.split("\n")
    assert lines[-3] == "### BEGIN SOLUTION" and lines[-1] == "### END SOLUTION" and "hw." not in lines[-2]
    practice = by_id(source_notebook(ASSIGNMENT, practice=True))["q1_answers"].source.split("\n")
    assert practice[-3:] == ["### BEGIN SOLUTION", "q1.fill(hw.solution('q1'))", "### END SOLUTION"]
    assert lines.index("q1 = hw.answers('q1')") < lines.index("q1.dE_dw_expr = ...  # a formula in quotes, "
                                                                "using x, w, t")
    q2 = cells["q2_answers"].source  # question "2" is held in the variable q2
    assert re.findall(r"^q2\.(\w+) = \.\.\.", q2, flags=re.M) == ["o1", "delta_o1_expr"]


def test_hidden_question_grades_only_in_the_hidden_region():
    cells = by_id(source_notebook(ASSIGNMENT, STUDENTS))
    assert cells["q1_test"].source.endswith("hw.grade('q1')") and "HIDDEN" not in cells["q1_test"].source
    assert cells["q2_test"].source.split("\n")[1:] == [
        "hw.check_format('2')", "### BEGIN HIDDEN TESTS", "hw.grade('2')", "### END HIDDEN TESTS"]


def test_every_code_cell_is_python_and_the_file_is_embedded_without_its_salt():
    nb = source_notebook(ASSIGNMENT, STUDENTS)
    for cell in nb.cells:
        if cell.cell_type == "code":
            compile(cell.source, cell.get("id", "?"), "exec")
    public = embedded(by_id(nb)["grader_identity"].source, "ASSIGNMENT")
    assert public == ASSIGNMENT.replace(f'salt = "{SALT}"  # never shown to students\n', "")
    assert SALT not in nbformat.writes(nb)
    practice = source_notebook(ASSIGNMENT, practice=True)
    assert embedded(by_id(practice)["grader_identity"].source, "ASSIGNMENT") == ASSIGNMENT


def test_the_notebook_carries_each_students_numbers_and_nothing_else():
    """The embedded table holds exactly the parameters of each student's salted variant (from the core)."""
    table = embedded(by_id(source_notebook(ASSIGNMENT, STUDENTS))["grader_identity"].source, "NUMBERS")
    a = parse_assignment(ASSIGNMENT)
    assert set(table) == set(STUDENTS)
    for student in STUDENTS:
        for q in a.questions:
            v = generate(q.family, [a.key(student, q)])[0]
            assert {k: Fraction(x) for k, x in table[student][q.id].items()} == dict(v.numbers)


def embedded(source: str, name: str):
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == name)
    return ast.literal_eval(node.value)


@pytest.mark.parametrize(("text", "says"), [
    ('id = "a"\n[[questions]]\nfamily = "gd_linear"\n', "needs a secret salt"),
    ('id = "a"\nsalt = "abc"\n[[questions]]\nfamily = "gd_linear"\n# abc\n', "appears nowhere else"),
    ('id = "a"\nsalt = """x\ny"""\n[[questions]]\nfamily = "gd_linear"\n', "on one line"),
])
def test_a_graded_notebook_refuses_a_salt_it_cannot_keep_secret(text, says):
    with pytest.raises(AssignmentError, match=says):
        source_notebook(text, STUDENTS)


def test_a_graded_notebook_needs_students():
    with pytest.raises(AssignmentError, match="nbgrader db student add"):
        source_notebook(ASSIGNMENT, [" ", ""])


def test_public_text_keeps_everything_but_the_salt():
    public = public_text(ASSIGNMENT)
    assert parse_assignment(public) == parse_assignment(ASSIGNMENT.replace(SALT, ""))
    assert "salt" not in public


@pytest.mark.parametrize("text", [
    'id = "a"\n',
    'id = "a"\ntitle = "back\\\\slash"\n',
    'id = "a"\ntitle = """triple"""\n',
    'id = "a"\ntitle = "ends with a quote"',
    'id = "a"\r\ntitle = "crlf"\r\n',
    'id = "a"\ntitle = "梯度下降"\n',
])
def test_python_string_round_trips(text):
    assert ast.literal_eval(python_string(text)) == text


def test_chinese_assignment_speaks_chinese():
    nb = source_notebook('id = "hw"\nlang = "zh"\nsalt = "zz-99"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\n',
                         STUDENTS)
    cells = by_id(nb)
    assert "第 q1 题" in cells["q1_title"].source
    assert "学号" in cells["student_id"].source


def test_messages_have_both_languages_with_the_same_placeholders():
    for key, texts in {**MESSAGES, **STATUS}.items():
        assert set(texts) == set(LANGS), key
        fields = [sorted(f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f) for lang in LANGS]
        assert fields[0] == fields[1], key


def course_dir(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.db_url = 'sqlite:///{tmp_path / 'gradebook.db'}'\n")
    return course


def test_cli_writes_the_source_notebook_for_the_gradebooks_students(tmp_path):
    toml = tmp_path / "hw1.toml"
    toml.write_text(ASSIGNMENT)
    course = course_dir(tmp_path)
    refused = CliRunner().invoke(main, ["nbgrader", "source", str(toml), "--course", str(course)])
    assert refused.exit_code == 1 and "no students" in refused.output
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "\n".join(STUDENTS) + "\n", encoding="utf-8")
    args = ["nbgrader", "source", str(toml), "--course", str(course)]
    result = CliRunner().invoke(main, [*args, "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    written = course / "source" / "hw1" / "hw1.ipynb"
    assert nbformat.read(written, as_version=4) == source_notebook(ASSIGNMENT, STUDENTS)
    config = (course / "nbgrader_config.py").read_text()
    assert "c.OverwriteCells.add_missing_cells = True" in config and "FlaggedCsvExport" in config
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "--force" in again.output
    forced = CliRunner().invoke(main, [*args, "--force"])  # the students are in nbgrader's gradebook now
    assert forced.exit_code == 0, forced.output
    assert (course / "nbgrader_config.py").read_text() == config  # the settings are written once


def test_the_configuration_restores_a_deleted_test_cell(tmp_path):
    """The settings `source` writes are the ones nbgrader's autograde reads (loaded by nbgrader's own loader)."""
    course_module = pytest.importorskip("grader.nbgrader.course")
    overwrite = pytest.importorskip("nbgrader.preprocessors").OverwriteCells
    course = course_dir(tmp_path)
    assert course_module.write_config(course)
    config = course_module.course_directory(course).config
    assert overwrite(config=config).add_missing_cells is True
    assert not course_module.write_config(course)


@pytest.mark.parametrize(("text", "says"), [
    ('id = "hw1"\n[[questions]]\nfamily = "no_such_family"\n', "unknown family"),
    ("id = [broken", "not valid TOML"),
    ('id = "a/b"\n[[questions]]\nfamily = "gd_linear"\n', "cannot contain /"),
])
def test_cli_refuses_a_bad_assignment_file_clearly(tmp_path, text, says):
    toml = tmp_path / "bad.toml"
    toml.write_text(text)
    course = course_dir(tmp_path)
    result = CliRunner().invoke(main, ["nbgrader", "source", str(toml), "--course", str(course)])
    assert result.exit_code == 1
    assert says in result.output and str(toml) in result.output and "Traceback" not in result.output
    assert not (course / "source").exists()
