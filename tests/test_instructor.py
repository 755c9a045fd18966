"""The instructor's workflow end to end: generate, grade, malformed input, reruns, a killed run."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

from grader.cli import main
from grader.core.keys import answer_key
from grader.core.variants import generate
from grader.course.assignment import CodeQuestion, parse_assignment
from grader.course.code_results import MESSAGES as CODE_RESULT_MESSAGES
from grader.course.files import MESSAGES as FILES_MESSAGES
from grader.course.files import remove_stale_temporaries, staged, write_atomic, write_staged
from grader.course.generate import MESSAGES as GENERATE_MESSAGES
from grader.course.inputs import InstructorError, load_assignment
from grader.course.new_assignment import MESSAGES as NEW_ASSIGNMENT_MESSAGES
from grader.course.reasons import MESSAGES as REASON_MESSAGES
from grader.course.report import MESSAGES as REPORT_MESSAGES
from grader.course.rows import MESSAGES as ROW_MESSAGES
from grader.course.student_grading import MESSAGES as GRADING_MESSAGES
from grader.course.summary import SUMMARY_TEXT
from grader.families import FAMILIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HW1 = EXAMPLES / "hw1.toml"
SOLUTIONS = EXAMPLES.parent / "solutions"


def load(path: Path, name: str) -> types.ModuleType:
    """A Python file of the repository as a module (the case tables, a bundled code file).

    Run from its source, so that no __pycache__ folder appears among the submissions (where
    ``grader grade`` would list it as a stray entry)."""
    module = types.ModuleType(name)
    module.__file__ = str(path)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


_TABLES = load(EXAMPLES / "make_submissions.py", "make_submissions")
CASES, CODE, CODE_TESTS = _TABLES.CASES, _TABLES.CODE, _TABLES.CODE_TESTS


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def gradebook(folder: Path) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO((folder / "gradebook.csv").read_text(encoding="utf-8"))))
    ids = [r["student_id"] for r in rows]
    assert len(ids) == len(set(ids)), "one row per student"
    return {r["student_id"]: r for r in rows}


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the oracle: points from the assignment file and the answer key ---------------------

def expected_points(student: str) -> dict[str, float]:
    """Each question's points for a bundled student, from hw1.toml and the case tables alone."""
    config = tomllib.loads(HW1.read_text(encoding="utf-8"))
    credit = config.get("carried_forward_credit", 1.0)
    _, lost, carried = CASES[student]
    points = {}
    for q in config["questions"]:
        if "code" in q:  # the hidden tests' points, each failing test's kept share; no file: 0
            failing = CODE.get(student)
            points[q["id"]] = 0.0 if failing is None else sum(
                p * failing[test][0] if test in failing else p for test, p in CODE_TESTS.items())
            continue
        family = FAMILIES[q["family"]]
        asked = q.get("answers") or [a.id for a in family.answers]
        worth = {a: q.get("points", {}).get(a, family.answer(a).points) for a in asked}
        points[q["id"]] = sum(
            0 if f"{q['id']}.{a}" in lost else credit * w if f"{q['id']}.{a}" in carried else w
            for a, w in worth.items()
        )
    return points


def bundled_answers(student: str) -> dict[str, str]:
    """A well-formed bundled sheet read with a plain regular expression (not the grader's reader)."""
    text = (EXAMPLES / "submissions" / f"{student}.txt").read_bytes().decode("utf-8", errors="replace")
    return dict(re.findall(r"^(q\d+\.\w+) = (.+)$", text, flags=re.M))


def matches_key(entry, given: str) -> bool:
    if entry.kind == "numeric":
        return math.isclose(float(given), float(entry.value), rel_tol=1e-5, abs_tol=1e-9)
    if entry.kind == "symbolic":
        return sympy.simplify(sympy.sympify(given) - sympy.sympify(entry.exact)) == 0
    return given.strip().lower() == entry.value


def keys_of(student: str) -> dict[str, object]:
    assignment = parse_assignment(HW1.read_text(encoding="utf-8"))
    keys = {}
    for q in assignment.questions:
        if isinstance(q, CodeQuestion):
            continue
        v = generate(q.family, [assignment.key(student, q)])[0]
        keys |= {f"{q.id}.{k}": e for k, e in answer_key(v).items()}
    return keys


@pytest.mark.parametrize("student", ["s001", "s002", "s008", "s010"])
def test_the_bundled_sheets_are_what_the_case_table_says(student):
    """Right answers equal the key; answers the table calls lost or carried forward differ from it."""
    _, lost, carried = CASES[student]
    keys = keys_of(student)
    given = bundled_answers(student)
    assert given, student
    for answer_id, text in given.items():
        right = matches_key(keys[answer_id], text)
        assert right == (answer_id not in lost | carried), (answer_id, text, keys[answer_id].value)


@pytest.fixture(scope="module")
def graded_example(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example") / "graded"
    run("grade", HW1, EXAMPLES / "submissions", "--out", out)
    return out


def test_every_bundled_student_gets_the_row_the_answer_key_predicts(graded_example):
    rows = gradebook(graded_example)
    roster = [r["id"] for r in csv.DictReader((EXAMPLES / "roster.csv").open(encoding="utf-8"))]
    assert list(rows) == roster
    for student, (status, _, _) in CASES.items():
        row = rows[student]
        assert row["status"] == status, (student, row)
        if status == "graded":
            points = expected_points(student)
            assert {q: float(row[q]) for q in points} == pytest.approx(points), student
            assert float(row["total"]) == pytest.approx(sum(points.values()))
            assert row["reason"] == ""
        else:
            assert row["q1"] == row["q2"] == row["q3"] == row["total"] == "" and row["reason"], student
    assert {float(r["max"]) for r in rows.values()} == {29.0 + sum(CODE_TESTS.values())}


def test_every_hidden_test_of_the_code_question_gets_the_verdict_the_case_table_names(graded_example):
    """Per student with a .py file: the failing tests named in CODE, with their kept share and
    the words their message must say; every other test at full points."""
    data = json.loads((graded_example / "gradebook.json").read_text(encoding="utf-8"))
    students = {s["id"]: s for s in data["students"]}
    for student, failing in CODE.items():
        answers = students[student]["questions"]["q3"]["answers"]
        assert set(answers) == set(CODE_TESTS), student
        report = (graded_example / "reports" / f"{student}.md").read_text(encoding="utf-8")
        for test, points in CODE_TESTS.items():
            kept, words = failing.get(test, (1.0, "All checks passed."))
            got = answers[test]
            assert (got["score"], got["max"]) == (pytest.approx(points * kept), points), (student, test)
            assert (got["status"] == "correct") == (test not in failing), (student, test, got)
            row = next(line for line in report.splitlines() if line.startswith(f"| `{test}` |"))
            assert words in row, (student, row)
    for student in set(CASES) - set(CODE):  # no .py file: every test missing, or the row is flagged
        entry = students[student]
        if entry["status"] == "graded":
            assert {a["status"] for a in entry["questions"]["q3"]["answers"].values()} == {"missing"}


def forward_and_backward(module, params: dict[str, float]) -> dict[str, float]:
    forward = module.forward_222(dict(params))
    return forward | module.backward_222(dict(params), dict(forward))


def test_the_bundled_code_files_are_what_the_case_table_says():
    """Checked here without the grader or its sandbox, on the variants the hidden tests use:
    s001.py gives every quantity of the exact key; s002.py only the hidden deltas (and what
    follows from them) wrong, as the updated w5..w8 give them; s003.py an honest forward pass
    (its backward pass is hostile and is not run here)."""
    from grader.code.exercises.base import hidden_variants
    from grader.core.evaluate import exact_quantities

    assignment = parse_assignment(HW1.read_text(encoding="utf-8"))
    family = FAMILIES["backprop_222"]
    folder = EXAMPLES / "submissions"
    s001, s002, s003 = (load(folder / f"{s}.py", f"bundled_{s}") for s in ("s001", "s002", "s003"))
    through_hidden = {"delta_h1", "delta_h2", "dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4", "dE_db1",
                      "w1_new", "w2_new", "w3_new", "w4_new", "b1_new"}
    for student, module in (("s001", s001), ("s002", s002), ("s003", s003)):
        for v in hidden_variants("backprop_222", assignment.key(student, assignment.question("q3")), 3):
            p = {k: float(x) for k, x in v.numbers.items()}
            key = {k: float(x) for k, x in exact_quantities(family.derivation(), v.params).items()}
            if module is s003:
                given = module.forward_222(dict(p))
                assert all(math.isclose(given[k], key[k], rel_tol=1e-9) for k in given), student
                continue
            given = forward_and_backward(module, p)
            assert set(given) == set(key), student
            right = {k for k in key if math.isclose(given[k], key[k], rel_tol=1e-9, abs_tol=1e-12)}
            assert right == (set(key) if module is s001 else set(key) - through_hidden), (student, set(key) - right)
            if module is s002:  # the classic mistake, by hand: delta_h from the updated weights
                w = {k: p[k] - p["eta"] * key[f"dE_d{k}"] for k in ("w5", "w6", "w7", "w8")}
                for j, (a, b) in ((1, ("w5", "w7")), (2, ("w6", "w8"))):
                    h = key[f"h{j}"]
                    expected = (key["delta_o1"] * w[a] + key["delta_o2"] * w[b]) * h * (1 - h)
                    assert math.isclose(given[f"delta_h{j}"], expected, rel_tol=1e-9)


def test_flag_reasons_name_the_file_and_the_cause(graded_example):
    rows = gradebook(graded_example)
    assert rows["s004"]["reason"] == "no submission"
    assert "s006.txt" in rows["s006"]["reason"] and "s006_resubmitted.txt" in rows["s006"]["reason"]
    assert "s008" in rows["s007"]["reason"]
    assert "binary" in rows["s009"]["reason"]
    assert "hw0" in rows["s011"]["reason"]


def test_files_of_students_not_on_the_roster_are_listed_not_dropped(graded_example):
    data = json.loads((graded_example / "gradebook.json").read_text(encoding="utf-8"))
    assert [u["file"] for u in data["unmatched_files"]] == ["x999.txt"]
    assert "x999" in (graded_example / "summary.md").read_text(encoding="utf-8")


def test_reports_show_verdicts_mistakes_carried_forward_and_the_worked_solution(graded_example):
    s002 = (graded_example / "reports" / "s002.md").read_text(encoding="utf-8")
    assert "**Score: 24 / 40**" in s002 and sum(expected_points("s002").values()) == 24
    assert "## Question q3 — 8.5 / 11 points" in s002 and "| `hidden_deltas` | incorrect | 0 / 2 |" in s002
    assert "| `gradient_fd_222` | partly correct | 0.5 / 1 |" in s002
    assert "the 1/2 of the loss was dropped" in s002 and "the step was added" in s002
    assert "correct (carried forward) | 0.5 / 1 | Consistent with your earlier w_1" in s002
    assert "Worked solution with your numbers" in s002 and r"\delta_{o_{1}} = o_{1}" in s002
    s003 = (graded_example / "reports" / "s003.md").read_text(encoding="utf-8")
    assert "line 18: not read as an answer" in s003 and "`q1.learning_rate`" in s003
    assert "given 2 times with different values (lines 9, 10)" in s003
    assert "| `output_deltas` | error | 0 / 2 |" in s003 and "outside its own folder" in s003
    s008 = (graded_example / "reports" / "s008.md").read_text(encoding="utf-8")
    assert "no file was handed in" in s008 and "| `forward_222` | missing | 0 / 2 | No file handed in. |" in s008
    s010 = (graded_example / "reports" / "s010.md").read_text(encoding="utf-8")
    assert "GB18030" in s010
    s004 = (graded_example / "reports" / "s004.md").read_text(encoding="utf-8")
    assert "**Not graded: no submission**" in s004 and "Worked solution" in s004
    assert "graded by running your file on hidden tests" in s004
    html = (graded_example / "reports" / "s002.html").read_text(encoding="utf-8")
    assert html.count("<math") > 40 and "$$" not in html and 'class="math-error' not in html


def test_the_summary_counts_mistakes_and_plots_the_scores(graded_example):
    data = json.loads((graded_example / "gradebook.json").read_text(encoding="utf-8"))["summary"]
    assert data["statuses"]["graded"] == 5 and data["students"] == 11
    mistakes = {(m["question"], m["answer"], m["mistake"]): m["count"] for m in data["mistakes"]}
    assert mistakes[("q1", "E_1", "half_forgotten")] == 1 and mistakes[("q1", "w_1", "step_added")] == 1
    assert data["questions"]["q1"]["share_correct"]["pred_1"] == 1.0
    assert (graded_example / "scores.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (graded_example / "summary.html").read_text(encoding="utf-8")


def test_grading_twice_and_with_several_jobs_gives_identical_files(graded_example, tmp_path):
    run("grade", HW1, EXAMPLES / "submissions", "--out", tmp_path / "again", "--jobs", "2")
    assert tree_digest(tmp_path / "again") == tree_digest(graded_example)


# --- generate ---------------------------------------------------------------------------

def test_generate_writes_every_students_sheets_and_a_key_that_is_the_answer_key(tmp_path):
    out = tmp_path / "sheets"
    run("generate", HW1, "--roster", EXAMPLES / "roster.csv", "--out", out)
    students = [r["id"] for r in csv.DictReader((EXAMPLES / "roster.csv").open(encoding="utf-8"))]
    for s in students:
        folder = out / "students" / s
        assert sorted(p.name for p in folder.iterdir()) == sorted(["problem.md", "problem.html", f"{s}.txt"])
        sheet = (folder / f"{s}.txt").read_text(encoding="utf-8")
        assert f"student: {s}\nassignment: hw1\n" in sheet
    problem = (out / "students" / "s001" / "problem.md").read_text(encoding="utf-8")
    assert "$x = 0.5$" in problem and "$w_1 = -0.4$" in problem  # s001's own numbers
    rows = list(csv.DictReader((out / "instructor" / "key.csv").open(encoding="utf-8")))
    keys = keys_of("s002")
    mine = {f"{r['question']}.{r['answer']}": r for r in rows if r["student_id"] == "s002"}
    assert set(mine) == set(bundled_answers("s001")) and len(rows) == len(students) * len(mine)
    for answer_id, row in mine.items():
        assert matches_key(keys[answer_id], row["value"]), answer_id
    run("generate", HW1, "--roster", EXAMPLES / "roster.csv", "--out", tmp_path / "again", "--jobs", "2")
    assert tree_digest(tmp_path / "again") == tree_digest(out)


def test_a_generated_blank_sheet_filled_with_the_key_and_the_reference_solution_score_full_marks(tmp_path):
    run("generate", HW1, "--roster", EXAMPLES / "roster.csv", "--out", tmp_path / "sheets")
    blank = (tmp_path / "sheets" / "students" / "s005" / "s005.txt").read_text(encoding="utf-8")
    assert "hand in s005.py" in blank
    keys = keys_of("s005")
    filled = re.sub(r"^(q\d\.\w+) = $", lambda m: f"{m.group(1)} = {keys[m.group(1)].exact}", blank, flags=re.M)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "s005.txt").write_text(filled, encoding="utf-8")
    (tmp_path / "in" / "s005.py").write_bytes((SOLUTIONS / "backprop_222.py").read_bytes())
    run("grade", HW1, tmp_path / "in", "--out", tmp_path / "graded", "--roster", EXAMPLES / "roster.csv")
    row = gradebook(tmp_path / "graded")["s005"]
    full = 29 + sum(CODE_TESTS.values())
    assert (row["status"], row["q3"], row["total"], row["max"]) == ("graded", "11", str(full), str(full))


# --- malformed input, one by one --------------------------------------------------------

SMALL = """
id = "quiz"
title = "Small"
[[questions]]
id = "q1"
family = "gd_linear"
answers = ["pred_1", "E_1", "grad_1", "w_1"]
"""


@pytest.fixture
def small_class(tmp_path):
    (tmp_path / "quiz.toml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("id,name\ns001,A\ns002,B\ns003,C\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    for s in ("s001", "s003"):
        (tmp_path / "in" / f"{s}.txt").write_text(filled_sheet(s), encoding="utf-8")
    return tmp_path


def filled_sheet(student: str, assignment: str = "quiz") -> str:
    a = parse_assignment(SMALL)
    q = a.questions[0]
    key = answer_key(generate(q.family, [a.key(student, q)])[0])
    lines = [f"student: {student}", f"assignment: {assignment}"]
    lines += [f"q1.{k} = {key[k].exact}" for k in ("pred_1", "E_1", "grad_1", "w_1")]
    return "\n".join(lines) + "\n"


def grade_small(folder: Path, *extra: str):
    result = run("grade", folder / "quiz.toml", folder / "in", "--out", folder / "out", *extra)
    rows = gradebook(folder / "out")
    assert list(rows) == ["s001", "s002", "s003"]
    assert rows["s001"]["total"] == rows["s003"]["total"] == "4"
    return rows, result.output


def test_truncated_file_grades_what_arrived(small_class):
    text = filled_sheet("s002")
    cut = text.index("q1.grad_1 = ") + len("q1.grad_1 = ") + 1  # in the middle of the value
    (small_class / "in" / "s002.txt").write_text(text[:cut], encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "graded" and rows["s002"]["total"] == "2"
    report = (small_class / "out" / "reports" / "s002.md").read_text(encoding="utf-8")
    assert f"| `grad_1` | `{text[cut - 1]}` | " in report and "| `w_1` |  | missing |" in report


def test_binary_file_is_flagged_unreadable(small_class):
    (small_class / "in" / "s002.txt").write_bytes(bytes(range(256)) * 4)
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "unreadable" and "binary" in rows["s002"]["reason"]


def test_wrong_encoding_is_read_with_a_note(small_class):
    text = "# réponses de l'élève\n" + filled_sheet("s002")
    (small_class / "in" / "s002.txt").write_bytes(text.encode("latin-1"))
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "graded" and rows["s002"]["total"] == "4"
    assert "not valid UTF-8" in (small_class / "out" / "reports" / "s002.md").read_text(encoding="utf-8")


def test_utf16_file_from_windows_notepad_is_read(small_class):
    (small_class / "in" / "s002.txt").write_bytes(filled_sheet("s002").encode("utf-16"))
    rows, _ = grade_small(small_class)
    assert (rows["s002"]["status"], rows["s002"]["total"]) == ("graded", "4")


def test_duplicate_ids_cost_that_answer_only(small_class):
    text = filled_sheet("s002") + "q1.E_1 = 12345\n"
    (small_class / "in" / "s002.txt").write_text(text, encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert (rows["s002"]["status"], rows["s002"]["total"]) == ("graded", "3")
    report = (small_class / "out" / "reports" / "s002.md").read_text(encoding="utf-8")
    assert "`q1.E_1` is given 2 times with different values (lines 4, 7)" in report


def test_unknown_ids_are_reported_and_cost_nothing(small_class):
    text = filled_sheet("s002") + "q1.w_7 = 3\nq9.x = 1\n"
    (small_class / "in" / "s002.txt").write_text(text, encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert (rows["s002"]["status"], rows["s002"]["total"]) == ("graded", "4")
    report = (small_class / "out" / "reports" / "s002.md").read_text(encoding="utf-8")
    assert "line 7: `q1.w_7` is not an answer" in report and "line 8: `q9.x`" in report


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "1e999", "0/0"])
def test_nan_and_infinity_are_invalid_answers(small_class, value):
    text = filled_sheet("s002").replace("q1.w_1 = ", f"q1.w_1 = {value} # ")
    (small_class / "in" / "s002.txt").write_text(text, encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert (rows["s002"]["status"], rows["s002"]["total"]) == ("graded", "3")
    data = json.loads((small_class / "out" / "gradebook.json").read_text(encoding="utf-8"))
    s002 = next(s for s in data["students"] if s["id"] == "s002")
    assert s002["questions"]["q1"]["answers"]["w_1"]["status"] == "invalid"


def test_a_10_mb_file_is_refused_without_reading_it(small_class):
    with (small_class / "in" / "s002.txt").open("wb") as handle:
        handle.write(filled_sheet("s002").encode())
        handle.write(b"# padding\n" * 1_000_000)
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "unreadable" and "10.0 MB" in rows["s002"]["reason"]


def test_a_file_for_a_student_not_on_the_roster_is_listed(small_class):
    (small_class / "in" / "s999.txt").write_text(filled_sheet("s999"), encoding="utf-8")
    rows, output = grade_small(small_class)
    assert rows["s002"]["status"] == "missing"
    data = json.loads((small_class / "out" / "gradebook.json").read_text(encoding="utf-8"))
    assert data["unmatched_files"] == [{"file": "s999.txt", "reason": "s999.txt: student s999 is not on the roster"}]
    assert "s999" in output


def test_a_roster_with_a_duplicate_student_still_gives_one_row_each(small_class):
    (small_class / "roster.csv").write_text("id,name\ns001,A\ns002,B\ns001,A again\ns003,C\n", encoding="utf-8")
    rows, output = grade_small(small_class)
    assert "line 4: student 's001' is already on line 2; counted once" in output


def test_an_empty_file_and_a_blank_sheet_are_flagged_empty(small_class):
    (small_class / "in" / "s002.txt").write_bytes(b"")
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "empty"


def test_a_renamed_file_is_matched_by_its_student_line(small_class):
    (small_class / "in" / "B_homework_final.txt").write_text(filled_sheet("s002"), encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert (rows["s002"]["status"], rows["s002"]["total"]) == ("graded", "4")


def test_another_students_sheet_two_files_and_another_assignment(small_class):
    (small_class / "in" / "s002.txt").write_text(filled_sheet("s003"), encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "other_student"
    (small_class / "in" / "s002.txt").write_text(filled_sheet("s002", assignment="hw7"), encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "wrong_assignment"
    (small_class / "in" / "s002.txt").write_text(filled_sheet("s002"), encoding="utf-8")
    (small_class / "in" / "s002-v2.txt").write_text(filled_sheet("s002"), encoding="utf-8")
    rows, _ = grade_small(small_class)
    assert rows["s002"]["status"] == "duplicate"


def test_folders_hidden_files_and_code_files_are_accounted_for(small_class):
    (small_class / "in" / "old").mkdir()
    (small_class / "in" / ".DS_Store").write_bytes(b"\x00\x01")
    (small_class / "in" / "s002.py").write_text("print(1)\n", encoding="utf-8")
    rows, _ = grade_small(small_class)
    data = json.loads((small_class / "out" / "gradebook.json").read_text(encoding="utf-8"))
    assert [u["file"] for u in data["unmatched_files"]] == [".DS_Store", "old", "s002.py"]
    assert "has no code question" in data["unmatched_files"][2]["reason"]
    assert rows["s002"]["status"] == "missing"


def test_bad_assignment_roster_and_folders_get_a_clear_message(small_class):
    (small_class / "bad.toml").write_text("id = 'x'\n[[questions]]\nfamily = 'nope'\n", encoding="utf-8")
    result = run("grade", small_class / "bad.toml", small_class / "in", "--out", small_class / "o", ok=False)
    assert result.exit_code == 1 and "unknown family 'nope'" in result.output and "Traceback" not in result.output
    (small_class / "roster.csv").write_text("name\nA\n", encoding="utf-8")
    result = run("grade", small_class / "quiz.toml", small_class / "in", "--out", small_class / "o", ok=False)
    assert result.exit_code == 1 and "'id'" in result.output
    result = run("grade", small_class / "quiz.toml", small_class / "in", "--out", small_class / "o",
                 "--roster", small_class / "nowhere.csv", ok=False)
    assert result.exit_code == 2 and "nowhere.csv" in result.output


# --- atomic writes and a killed run -----------------------------------------------------

def test_write_atomic_replaces_whole_files_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "deep" / "gradebook.csv"
    write_atomic(target, "old\n", durable=True)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and sorted(p.name for p in target.parent.iterdir()) == ["gradebook.csv"]
    (target.parent / ".gradebook.csv.abc_1234.tmp").write_text("half")
    (target.parent / ".mine.tmp").write_text("not ours")
    remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in target.parent.iterdir()) == [".mine.tmp", "gradebook.csv"]


def test_publish_moves_a_staging_folders_files_into_place_and_a_failed_block_publishes_nothing(tmp_path):
    out = tmp_path / "out"
    write_atomic(out / "reports" / "s001.md", "earlier\n")
    write_atomic(out / "reports" / "s009.md", "earlier, kept\n")
    with staged(out) as staging:
        assert staging.parent == out and staging.name.startswith(".staging.")
        write_staged(staging / "reports" / "s001.md", "new\n")
        write_staged(staging / "students" / "s002" / "problem.md", "sheet\n")
    assert tree_digest(out) == tree_digest_of({"reports/s001.md": b"new\n", "reports/s009.md": b"earlier, kept\n",
                                               "students/s002/problem.md": b"sheet\n"})
    assert stat.S_IMODE((out / "reports" / "s001.md").stat().st_mode) == 0o600  # a student's feedback is private
    with pytest.raises(KeyboardInterrupt), staged(out) as staging:
        write_staged(staging / "reports" / "s001.md", "half")
        raise KeyboardInterrupt
    assert (out / "reports" / "s001.md").read_text() == "new\n" and not list(out.glob(".staging*"))
    killed = out / ".staging.abcd_123.tmp" / "reports"  # what a killed run leaves
    killed.mkdir(parents=True)
    (killed / "s001.md").write_text("half")
    (out / ".staging.notours").mkdir()
    remove_stale_temporaries(out)
    assert sorted(p.name for p in out.glob(".staging*")) == [".staging.notours"]
    assert (out / "reports" / "s001.md").read_text() == "new\n"


def tree_digest_of(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def grader_command() -> list[str]:
    script = Path(sys.executable).with_name("grader")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from grader.cli import main; main()"]


def test_a_killed_grading_run_leaves_the_previous_gradebook_and_reports_byte_identical(tmp_path):
    (tmp_path / "quiz.toml").write_text(SMALL, encoding="utf-8")
    students = [f"k{i:04d}" for i in range(600)]
    (tmp_path / "roster.csv").write_text("id\n" + "\n".join(students) + "\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    for s in students[:300]:
        (tmp_path / "in" / f"{s}.txt").write_text(filled_sheet(s), encoding="utf-8")
    out = tmp_path / "out"
    run("grade", tmp_path / "quiz.toml", tmp_path / "in", "--out", out)
    before = {name: (out / name).read_bytes() for name in ("gradebook.csv", "gradebook.json")}
    for s in students[300:]:  # the next run would change every one of these rows
        (tmp_path / "in" / f"{s}.txt").write_text(filled_sheet(s), encoding="utf-8")
    reports = out / "reports"
    earlier = tree_digest(reports)
    assert len(earlier) == 2 * len(students)
    process = subprocess.Popen([*grader_command(), "grade", str(tmp_path / "quiz.toml"), str(tmp_path / "in"),
                                "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list(out.glob(".staging.*.tmp/reports/*.md"))) < 20 and time.monotonic() < deadline \
            and process.poll() is None:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    written = len(list(out.glob(".staging.*.tmp/reports/*.md")))
    assert 20 <= written < len(students), "the run must be killed midway"
    assert {name: (out / name).read_bytes() for name in before} == before
    assert tree_digest(reports) == earlier  # no report of the killed run is published, none of the last is lost
    run("grade", tmp_path / "quiz.toml", tmp_path / "in", "--out", out)
    after = gradebook(out)
    assert {r["status"] for r in after.values()} == {"graded"} and not list(out.rglob("*.tmp"))
    assert tree_digest(reports).keys() == earlier.keys() and tree_digest(reports) != earlier


# --- messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("table", [REASON_MESSAGES, ROW_MESSAGES, GRADING_MESSAGES, CODE_RESULT_MESSAGES, SUMMARY_TEXT,
                                   REPORT_MESSAGES, FILES_MESSAGES, NEW_ASSIGNMENT_MESSAGES, GENERATE_MESSAGES])
def test_every_message_exists_in_both_languages_with_the_same_fields(table):
    for key, texts in table.items():
        assert set(texts) == {"en", "zh"}, key
        fields = [sorted(re.findall(r"{(\w+)}", texts[lang])) for lang in ("en", "zh")]
        assert fields[0] == fields[1], key


# --- code exercises beside the answer sheet ---------------------------------------------

MIXED = SMALL + """
[[questions]]
id = "q2"
code = "sigmoid"
"""


def test_code_questions_are_generated_and_graded_from_py_files(tmp_path):
    (tmp_path / "mixed.toml").write_text(MIXED, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("id\ns001\ns002\ns003\ns004\n", encoding="utf-8")
    run("generate", tmp_path / "mixed.toml", "--roster", tmp_path / "roster.csv", "--out", tmp_path / "sheets")
    student = tmp_path / "sheets" / "students" / "s001"
    assert "hand in s001.py" in (student / "s001.txt").read_text(encoding="utf-8")
    assert "`sigmoid`, `sigmoid_prime`" in (student / "problem.md").read_text(encoding="utf-8")
    key = (tmp_path / "sheets" / "instructor" / "key.csv").read_text(encoding="utf-8")
    assert ",q2," not in key and ",q1," in key
    folder = tmp_path / "in"
    folder.mkdir()
    solution = (SOLUTIONS / "sigmoid.py").read_text(encoding="utf-8")
    for s in ("s001", "s002"):
        (folder / f"{s}.txt").write_text(filled_sheet(s, "quiz"), encoding="utf-8")
    (folder / "s001.py").write_text(solution, encoding="utf-8")
    (folder / "s003_q2.py").write_text(solution, encoding="utf-8")
    (folder / "stranger.py").write_text(solution, encoding="utf-8")
    run("grade", tmp_path / "mixed.toml", folder, "--out", tmp_path / "graded")
    rows = gradebook(tmp_path / "graded")
    assert [(r["status"], r["q1"], r["q2"], r["max"]) for r in rows.values()] == [
        ("graded", "4", "7", "11"), ("graded", "4", "0", "11"), ("graded", "0", "7", "11"),
        ("missing", "", "", "11")]
    report = (tmp_path / "graded" / "reports" / "s001.md").read_text(encoding="utf-8")
    assert "| `sigmoid_values` | correct | " in report and "Hidden tests" in report
    assert "No answer sheet was handed in" in (tmp_path / "graded" / "reports" / "s003.md").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "graded" / "gradebook.json").read_text(encoding="utf-8"))
    assert [u["file"] for u in data["unmatched_files"]] == ["stranger.py"]
    assert data["summary"]["questions"]["q2"]["family"] == "code: sigmoid"


def test_a_grader_failure_flags_one_row_and_the_class_run_goes_on(tmp_path, monkeypatch):
    """Defence in depth: an unexpected exception while grading one student is that row's reason."""
    import grader.course.student_grading as student_grading

    real = student_grading.grade_submission

    def failing_for_s002(assignment, submission, *args, **kwargs):
        if submission.student.id == "s002":
            raise RuntimeError("simulated grader bug")
        return real(assignment, submission, *args, **kwargs)

    monkeypatch.setattr(student_grading, "grade_submission", failing_for_s002)
    out = tmp_path / "graded"
    run("grade", HW1, EXAMPLES / "submissions", "--out", out, "--jobs", "1")
    rows = gradebook(out)
    assert rows["s002"]["status"] == "grading_error" and "simulated grader bug" in rows["s002"]["reason"]
    assert rows["s001"]["status"] == "graded" and rows["s001"]["total"] == rows["s001"]["max"]
    assert (out / "reports" / "s002.md").exists()


def test_an_unusable_assignment_or_roster_is_a_library_error_that_the_cli_reports(tmp_path):
    """instructor raises InstructorError (no click in the course layer); the CLI shows its text."""
    bad = tmp_path / "hw.toml"
    bad.write_text('id = "hw"\n[[questions]]\nid = "q1"\nfamily = "no_such_family"\n', encoding="utf-8")
    with pytest.raises(InstructorError, match=r"hw\.toml: .*unknown family 'no_such_family'"):
        load_assignment(bad)
    with pytest.raises(InstructorError, match="cannot read the assignment"):
        load_assignment(tmp_path / "missing.toml")
    roster = tmp_path / "roster.csv"
    roster.write_text("id\ns1\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["generate", str(bad), "--roster", str(roster), "--out", str(tmp_path / "out")])
    assert run.exit_code == 1 and "unknown family 'no_such_family'" in run.output and "Traceback" not in run.output


def test_hidden_tests_are_built_only_for_a_handed_in_code_file(tmp_path, monkeypatch):
    from grader.code import grade_code
    from grader.course import code_results

    built: list[object] = []

    def counting(real):
        def hidden_tests(exercise, key=None):
            built.append(key)
            return real(exercise, key)
        return hidden_tests

    monkeypatch.setattr(code_results, "hidden_tests", counting(code_results.hidden_tests))
    monkeypatch.setattr(grade_code, "hidden_tests", counting(grade_code.hidden_tests))
    code_results.code_tests.cache_clear()
    (tmp_path / "mixed.toml").write_text(MIXED, encoding="utf-8")
    students = [f"s{i:03d}" for i in range(1, 31)]
    (tmp_path / "roster.csv").write_text("id\n" + "\n".join(students) + "\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for s in students:
        (folder / f"{s}.txt").write_text(filled_sheet(s, "quiz"), encoding="utf-8")
    run("grade", tmp_path / "mixed.toml", folder, "--out", tmp_path / "graded")
    assert built == [None], "30 students without a code file: only the exercise's test list, once"
    (folder / "s007.py").write_text((SOLUTIONS / "sigmoid.py").read_text(encoding="utf-8"), encoding="utf-8")
    run("grade", tmp_path / "mixed.toml", folder, "--out", tmp_path / "graded")
    assert len(built) == 2 and built[1] is not None, "one code file: its own variant's tests, once"
    assert gradebook(tmp_path / "graded")["s007"]["q2"] == "7"


def test_a_second_run_into_the_same_folder_is_refused_while_the_first_writes(tmp_path):
    """Two runs into one folder would delete each other's staging folder as stale: the second is refused."""
    import fcntl

    from grader.course.grade import grade_class

    out = tmp_path / "graded"
    out.mkdir()
    held = os.open(out / ".grader.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run holds the folder
        with pytest.raises(InstructorError, match="another grader run is writing into"):
            grade_class(EXAMPLES / "hw1.toml", EXAMPLES / "submissions", out, EXAMPLES / "roster.csv")
        with pytest.raises(InstructorError, match="另一个 grader 进程"):
            grade_class(EXAMPLES / "hw1.toml", EXAMPLES / "submissions", out, EXAMPLES / "roster.csv", lang="zh")
    finally:
        os.close(held)
    assert not (out / "gradebook.csv").exists()
    grade_class(EXAMPLES / "hw1.toml", EXAMPLES / "submissions", out, EXAMPLES / "roster.csv", echo=lambda _: None)
    assert (out / "gradebook.csv").exists()


def test_publish_moves_a_folder_out_lacks_whole_and_merges_one_it_has(tmp_path):
    out = tmp_path / "out"
    write_atomic(out / "students" / "s001" / "problem.md", "earlier\n")
    with staged(out) as staging:
        write_staged(staging / "students" / "s001" / "problem.md", "new\n")
        write_staged(staging / "students" / "s002" / "problem.md", "sheet\n")
        write_staged(staging / "students" / "s002" / "s002.txt", "answers\n")
        moved = (staging / "students" / "s002").stat().st_ino
        merged = (staging / "students" / "s001").stat().st_ino
    assert (out / "students" / "s002").stat().st_ino == moved  # one rename, not a new folder filled file by file
    assert (out / "students" / "s001").stat().st_ino != merged
    assert tree_digest(out) == tree_digest_of({"students/s001/problem.md": b"new\n",
                                               "students/s002/problem.md": b"sheet\n",
                                               "students/s002/s002.txt": b"answers\n"})
    assert not list(out.glob(".staging*"))
