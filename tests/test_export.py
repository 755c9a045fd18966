"""`grader export FORMAT`: each format checked against its own rules on the bundled class.

The oracles are independent of the exporters: the CSVs are matched row by row to
``gradebook.csv`` (the exporters read ``gradebook.json``); the Moodle XML's keys are compared
with the exact key (:func:`grader.core.keys.answer_key`, sympy) and its tolerances with what the
grader itself accepts; the Gradescope bundle is unzipped and run as Gradescope runs it, and
its ``results.json`` compared with ``grader grade``'s scores.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

from grader.cli import main
from grader.core.grading import expectation, grade
from grader.core.keys import answer_key
from grader.core.variants import generate
from grader.course.assignment import FamilyQuestion, parse_assignment

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HW1 = EXAMPLES / "hw1.toml"
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def run(*args, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graded")
    run("grade", HW1, EXAMPLES / "submissions", "--out", out)
    return out


def gradebook_rows(graded: Path) -> dict[str, dict[str, str]]:
    with (graded / "gradebook.csv").open(encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- the README's commands ---------------------------------------------------------------

def test_the_export_pages_commands_run_on_the_bundled_class(tmp_path, monkeypatch):
    """Every command of the docs' export page, run as written (after the class is graded as the
    tutorial says), with the Canvas roster its csv block shows; the Canvas file is its text block."""
    import shlex

    page = (EXAMPLES.parent / "docs" / "exports.md").read_text(encoding="utf-8")
    commands = [shlex.split(line) for line in re.search(r"```sh\n(.*?)```", page, re.S).group(1).splitlines()]
    assert {c[2] for c in commands} == {"canvas", "moodle", "gradescope", "moodle-xml"}
    roster = re.search(r"```csv\n(.*?)```", page, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", page, re.S).group(1).splitlines()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(EXAMPLES)
    Path("canvas_export.csv").write_text(roster, encoding="utf-8")
    run("grade", "examples/hw1.toml", "examples/submissions", "--out", "out/graded")
    for command in commands:
        assert command[0] == "grader"
        run(*command[1:])
    written = Path("out/export/hw1_canvas.csv").read_text(encoding="utf-8").splitlines()
    assert written == shown
    assert {p.name for p in Path("out/export").iterdir()} >= {"hw1_canvas.csv", "hw1_moodle.csv",
                                                            "hw1_gradescope.zip", "hw1_moodle.xml"}


# --- Canvas -----------------------------------------------------------------------------

CANVAS_ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section\n"
    "    Points Possible,,,,\n"
    '"Hopper, Grace",103,s003,grace,B\n'
    '"Lovelace, Ada",101,s001,ada,A\n'
    '"华, 罗庚",110,s010,hua,B\n'
    '"Dijkstra, Edsger",104,s004,edsger,A\n'
    '"Turing, Alan",102,s002,alan,A\n'
    '"Student, Test",999,,,A\n'
    '"Late, Enrolled",120,s999,late,B\n'
)


def test_canvas_csv_follows_canvas_columns_and_matches_the_gradebook(graded, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")
    result = run("export", "canvas", HW1, "--graded", graded, "--roster", roster, "--out", tmp_path / "out")
    rows = read_csv(tmp_path / "out" / "hw1_canvas.csv")
    assert rows[0] == [*CANVAS_COLUMNS, "hw1"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][1:5] == ["", "", "", ""]
    assert float(rows[1][5]) == 13 + 16 + 11  # examples/README.md: q1 13, q2 16, q3 11
    book = gradebook_rows(graded)
    given = list(csv.DictReader(io.StringIO(CANVAS_ROSTER)))[1:]
    assert len(rows) - 2 == len(given)  # every Canvas row, in Canvas's order
    for row, original in zip(rows[2:], given, strict=True):
        assert row[:5] == [original[c] for c in CANVAS_COLUMNS]
        sid = original["SIS User ID"]
        expected = book[sid]["total"] if sid in book else ""
        assert row[5] == expected, sid
    totals = {r[2]: r[5] for r in rows[2:]}
    assert totals["s001"] == "40" and totals["s002"] == "24" and totals["s004"] == ""
    # gradebook students Canvas lacks are named, never dropped in silence
    for sid in ("s005", "s008", "s011"):
        assert f"student {sid}" in result.output
    assert "s999" in result.output and "s004 has no grade (missing)" in result.output
    assert "'Student, Test' of " in result.output and "has no SIS User ID" in result.output


def test_canvas_matches_by_the_column_the_instructor_names(graded, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\nAda,101,900001,s001,A\n", encoding="utf-8")
    run("export", "canvas", HW1, "--graded", graded, "--roster", roster, "--id-column", "SIS Login ID",
        "--column", "Homework 1 (4242)", "--out", tmp_path)
    rows = read_csv(tmp_path / "hw1_canvas.csv")
    assert rows[0][-1] == "Homework 1 (4242)" and rows[2] == ["Ada", "101", "900001", "s001", "A", "40"]


@pytest.mark.parametrize("roster_text, words", [
    ("Student,ID\nAda,101\n", ["has no column 'SIS User ID'", "Student, ID"]),
    ("Student,SIS User ID\nAda,s001\nAda again,s001\n", ["line 3", "'s001' is already on line 2"]),
])
def test_canvas_refuses_a_roster_it_cannot_match(graded, tmp_path, roster_text, words):
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text, encoding="utf-8")
    result = run("export", "canvas", HW1, "--graded", graded, "--roster", roster, "--out", tmp_path, ok=False)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


def test_export_messages_in_both_languages():
    from grader.course.export.base import MESSAGES
    from grader.course.export.gradescope import TEXT
    from grader.course.export.moodle_xml import TEXT as XML_TEXT

    for table in (MESSAGES, TEXT, XML_TEXT):
        for key, entry in table.items():
            assert set(entry) == {"en", "zh"}, key


def test_export_refuses_missing_inputs_and_a_foreign_gradebook(graded, tmp_path):
    assert "--roster" in run("export", "canvas", HW1, "--graded", graded, "--out", tmp_path, ok=False).output
    assert "--graded" in run("export", "moodle", HW1, "--out", tmp_path, ok=False).output
    other = tmp_path / "hw2.toml"
    other.write_text(HW1.read_text(encoding="utf-8").replace('id = "hw1"', 'id = "hw2"', 1), encoding="utf-8")
    result = run("export", "moodle", other, "--graded", graded, "--out", tmp_path, ok=False)
    assert "assignment hw1, not hw2" in result.output
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "gradebook.json").write_text('{"students": [{"id": "s1"}]}', encoding="utf-8")
    result = run("export", "moodle", HW1, "--graded", broken, "--out", tmp_path, ok=False)
    assert "is not a gradebook.json" in result.output and "Traceback" not in result.output


# --- Moodle CSV -------------------------------------------------------------------------

def test_moodle_csv_matches_the_gradebook_row_by_row(graded, tmp_path):
    run("export", "moodle", HW1, "--graded", graded, "--out", tmp_path)
    rows = read_csv(tmp_path / "hw1_moodle.csv")
    assert rows[0] == ["student_id", "hw1", "hw1 q1", "hw1 q2", "hw1 q3"]
    book = gradebook_rows(graded)
    assert [r[0] for r in rows[1:]] == list(book)  # every roster student, in roster order
    for identifier, total, *questions in rows[1:]:
        row = book[identifier]
        assert [total, *questions] == [row["total"], row["q1"], row["q2"], row["q3"]]
        assert (total == "") == (row["status"] != "graded")


def test_moodle_csv_writes_the_identifier_the_instructor_maps(graded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\ns001,Ada,ada@uni.edu\ns002,Alan,alan@uni.edu\n", encoding="utf-8")
    result = run("export", "moodle", HW1, "--graded", graded, "--roster", roster, "--id-column", "email",
                 "--out", tmp_path)
    rows = read_csv(tmp_path / "hw1_moodle.csv")
    assert rows[0][0] == "email"
    assert rows[1:] == [["ada@uni.edu", "40", "13", "16", "11"], ["alan@uni.edu", "24", "7", "8.5", "8.5"]]
    assert "student s003 (graded) is in the gradebook but not in" in result.output


# --- Moodle XML -------------------------------------------------------------------------

CLOZE = re.compile(r"\{(\d+):(NUMERICAL|MULTICHOICE):([^}]*)\}")


def cloze_fields(html_text: str) -> list[tuple[str, int, str, str]]:
    """(answer id, weight, type, body) of every embedded field, with the answer id before it."""
    found = []
    answers = html_text.rsplit("<h4>", 1)[1]  # the statement's own lists come before
    for item in re.findall(r"<li>(.*?)</li>", answers, re.S):
        answer = re.search(r"<code>([^<]+)</code> = ", item).group(1)
        weight, kind, body = CLOZE.search(item).groups()
        found.append((answer, int(weight), kind, body))
    return found


def formula_value(formula: str, key: dict, params: dict) -> float:
    """The exact key formula at the variant's numbers (a symbol not in the key: its start value)."""
    expr = sympy.sympify(formula, locals={"sigmoid": sympy.Function("sigmoid")})
    values = {}
    for s in expr.free_symbols:
        name = str(s)
        values[s] = key[name].value if name in key else params.get(name, params.get(f"{name}0"))
    sigmoid = sympy.Lambda(sympy.Symbol("z"), 1 / (1 + sympy.exp(-sympy.Symbol("z"))))
    return float(expr.xreplace(values).replace(sympy.Function("sigmoid"), sigmoid).evalf(30))


def test_moodle_xml_is_a_question_bank_whose_every_answer_is_the_key(tmp_path):
    run("export", "moodle-xml", HW1, "--variants", "3", "--out", tmp_path)
    root = ET.parse(tmp_path / "hw1_moodle.xml").getroot()
    assert root.tag == "quiz"
    assignment = parse_assignment(HW1.read_text(encoding="utf-8"))
    family_questions = [q for q in assignment.questions if isinstance(q, FamilyQuestion)]
    categories = [n for n in root if n.get("type") == "category"]
    assert [c.findtext("category/text") for c in categories] == [f"$course$/top/hw1/{q.id}" for q in family_questions]
    cloze = [n for n in root if n.get("type") == "cloze"]
    assert len(cloze) == 3 * len(family_questions) and len(root) == len(cloze) + len(categories)
    assert len({n.findtext("idnumber") for n in cloze}) == len(cloze)
    checked = 0
    for node, (q, i) in zip(cloze, [(q, i) for q in family_questions for i in range(1, 4)], strict=True):
        assert node.findtext("name/text") == f"hw1 {q.id} #{i}"
        assert node.find("questiontext").get("format") == "html"
        assert node.find("generalfeedback") is not None and node.findtext("hidden") == "0"
        variant = generate(q.family, [assignment.key(f"moodle-{i}", q)])[0]
        key, params = answer_key(variant), {k: float(v) for k, v in variant.numbers.items()}
        fields = cloze_fields(node.findtext("questiontext/text"))
        asked = [a for a in q.family.answers if q.settings.asks(a)]
        assert [f[0] for f in fields] == [a.id for a in asked]
        points = [q.settings.points_for(a) for a in asked]
        weights = [f[1] for f in fields]
        assert all(math.isclose(w / weights[0], p / points[0]) for w, p in zip(weights, points, strict=True))
        for (answer_id, _, kind, body), a in zip(fields, asked, strict=True):
            if a.kind == "choice":
                assert kind == "MULTICHOICE"
                options = body.split("~")
                assert [o for o in options if o.startswith("=")] == ["=" + key[answer_id].value]
                assert sorted(o.lstrip("=") for o in options) == sorted(a.options)
                continue
            assert kind == "NUMERICAL" and body.startswith("=")
            value, error = (float(x) for x in body[1:].split(":"))
            exact = key[answer_id].value if a.kind == "numeric" else formula_value(key[answer_id].value, key, params)
            assert math.isclose(value, exact, rel_tol=1e-12, abs_tol=1e-15), (q.id, answer_id)
            if a.kind == "numeric":  # the tolerance is what the grader itself accepts
                expected = expectation(variant)
                for factor, verdict in ((0.999, "correct"), (-0.999, "correct"), (1.01, "incorrect"),
                                        (-1.01, "incorrect")):
                    result = grade(expected, {answer_id: repr(value + factor * error)}, q.settings)
                    assert (result.answer(answer_id).status == "correct") == (verdict == "correct"), \
                        (q.id, answer_id, factor)
            checked += 1
    assert checked > 30


def test_moodle_xml_says_where_a_formula_is_asked_as_a_number(tmp_path):
    run("export", "moodle-xml", HW1, "--variants", "1", "--out", tmp_path, "--lang", "zh")
    text = (tmp_path / "hw1_moodle.xml").read_text(encoding="utf-8")
    assert text.count("Moodle 无法检查公式") == 2  # dE_dw_expr of q1 and delta_o1_expr of q2
    run("export", "moodle-xml", HW1, "--variants", "1", "--out", tmp_path)
    text = (tmp_path / "hw1_moodle.xml").read_text(encoding="utf-8")
    assert "give the value of your formula for dE_dw_expr at this problem&amp;#x27;s numbers, w = " in text


# What Moodle's Cloze importer reads (qformat_xml::import_multianswer, then
# qtype_multianswer_extract_question in question/type/multianswer/questiontype.php), transcribed:
# a field starts with {norm:TYPE:, a numerical alternative is NUMBER(:NUMBER)?, and the question's
# default mark is the sum of its fields' norms.
MOODLE_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
MOODLE_NUMERICAL = re.compile(rf"^({MOODLE_NUMBER})(:{MOODLE_NUMBER})?$")
MOODLE_START = re.compile(r"\{([0-9]*):((NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
                          r"(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)):")
MOODLE_CLOZE_ELEMENTS = {"name", "questiontext", "generalfeedback", "penalty", "hidden", "idnumber"}


def test_moodle_xml_is_read_by_moodles_cloze_importer_as_the_grader_means_it(tmp_path):
    run("export", "moodle-xml", HW1, "--variants", "2", "--out", tmp_path)
    root = ET.parse(tmp_path / "hw1_moodle.xml").getroot()
    assignment = parse_assignment(HW1.read_text(encoding="utf-8"))
    points = {q.id: sum(q.settings.points_for(a) for a in q.family.answers if q.settings.asks(a))
              for q in assignment.questions if isinstance(q, FamilyQuestion)}
    cloze = [n for n in root if n.get("type") == "cloze"]
    assert len(cloze) == 2 * len(points)
    for node in cloze:
        assert {child.tag for child in node} <= MOODLE_CLOZE_ELEMENTS
        assert node.findtext("name/text") and node.find("questiontext").get("format") == "html"
        text = node.findtext("questiontext/text")
        starts = MOODLE_START.findall(text)
        fields = cloze_fields(text)
        assert len(starts) == len(fields)  # Moodle finds our fields and nothing else
        question = node.findtext("name/text").split()[1]
        assert sum(int(norm) for norm, *_ in starts) == points[question]  # the default mark is the points
        for _, _, kind, body in fields:
            if kind == "NUMERICAL":
                match = MOODLE_NUMERICAL.match(body.removeprefix("="))
                assert match and match.group(6), body  # a value and its error margin, as Moodle reads them
        statement = text.rsplit("<h4>", 1)[0]
        assert "How answers are judged" in statement and "significant figures" in statement
        assert "Give every numeric answer" not in statement and "any equivalent form" not in statement


def test_moodle_weights_are_the_points_so_the_default_mark_is_the_questions_points():
    from grader.course.export.moodle_xml import weights

    assert weights([2, 2, 4]) == [2, 2, 4] and weights([1, 0.5, 2.5]) == [2, 1, 5]


# --- Gradescope -------------------------------------------------------------------------

def run_bundle(bundle: Path, root: Path, submission: Path | None, user: dict) -> dict:
    """Lay out ``root`` as Gradescope does and run the bundle's run_autograder in it."""
    source = root / "source"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(source)
        for info in archive.infolist():
            os.chmod(source / info.filename, info.external_attr >> 16 & 0o777)
    (root / "submission").mkdir()
    if submission is not None:
        (root / "submission" / submission.name).write_bytes(submission.read_bytes())
    (root / "submission_metadata.json").write_text(json.dumps({"users": [user]}), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    subprocess.run([str(source / "run_autograder")], env=env, check=True, timeout=300, capture_output=True)
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_gradescope_bundle_grades_the_bundled_code_like_grader_grade(graded, tmp_path):
    run("export", "gradescope", HW1, "--out", tmp_path)
    bundle = tmp_path / "hw1_gradescope.zip"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "assignment.toml", "requirements.txt"} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "grader/solutions/backprop_222.py" in names and "grader/code/sandbox.py" in names
    book = {s["id"]: s for s in json.loads((graded / "gradebook.json").read_text(encoding="utf-8"))["students"]}
    for sid in ("s001", "s002", "s003"):
        results = run_bundle(bundle, tmp_path / sid, EXAMPLES / "submissions" / f"{sid}.py",
                             {"sid": sid, "email": f"{sid}@uni.edu", "name": sid})
        expected = book[sid]["questions"]["q3"]
        assert results["score"] == pytest.approx(expected["score"]), sid
        assert {t["name"].split()[1].rstrip(":"): (t["score"], t["max_score"]) for t in results["tests"]} == \
            {name: (a["score"], a["max"]) for name, a in expected["answers"].items()}
        for t in results["tests"]:
            assert set(t) == {"name", "score", "max_score", "output", "visibility"}
            assert t["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert results["score"] == 2  # s003, the hostile file: only its honest forward pass scores
    where = subprocess.run(  # the bundle grades with its own copy of the package and solutions
        [sys.executable, "-c", "import grader.code.exercises.base as h; print(h.__file__, h.solutions_folder())"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "s003" / "source")}, cwd=tmp_path, check=True,
        capture_output=True, text=True).stdout.split()
    assert all(Path(w).is_relative_to(tmp_path / "s003" / "source") for w in where)


def test_gradescope_bundle_without_a_student_id_grades_nothing_and_says_why(tmp_path):
    run("export", "gradescope", HW1, "--out", tmp_path)
    results = run_bundle(tmp_path / "hw1_gradescope.zip", tmp_path / "root", EXAMPLES / "submissions" / "s001.py",
                         {"email": "someone@uni.edu", "name": "Someone"})
    assert results["tests"] == [] and "has no sid" in results["output"]


def test_gradescope_bundle_ignores_a_link_to_the_reference_solution(tmp_path):
    run("export", "gradescope", HW1, "--out", tmp_path)
    root = tmp_path / "root"
    results = run_bundle(tmp_path / "hw1_gradescope.zip", root, None, {"sid": "s001"})
    assert results["tests"] == []  # nothing handed in
    (root / "submission" / "q3.py").symlink_to(root / "source" / "grader" / "solutions" / "backprop_222.py")
    (root / "results" / "results.json").unlink()
    env = {"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    subprocess.run([str(root / "source" / "run_autograder")], env=env, check=True, timeout=300, capture_output=True)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["tests"] == [] and results["score"] == 0 and "No Python file for question q3" in results["output"]


def test_gradescope_needs_a_code_question(tmp_path):
    sheet_only = tmp_path / "hw.toml"
    text = HW1.read_text(encoding="utf-8")
    sheet_only.write_text(text[: text.index('[[questions]]\nid = "q3"')], encoding="utf-8")
    assert "no code question" in run("export", "gradescope", sheet_only, "--out", tmp_path, ok=False).output


@pytest.mark.parametrize("name", ["canvas", "moodle", "gradescope", "moodle-xml"])
def test_an_export_called_without_what_it_needs_is_an_export_error_naming_it(name):
    """A library caller (not the CLI, which checks first) that leaves out a needed part gets an
    ExportError saying what the format needs, in either language, never an AttributeError."""
    from grader.course.export import EXPORTERS
    from grader.course.export.base import ExportError, ExportRequest

    for lang, needs in (("en", "needs"), ("zh", "需要")):
        with pytest.raises(ExportError) as error:
            EXPORTERS[name].build(ExportRequest(lang=lang))
        assert needs in str(error.value) and name in str(error.value)
