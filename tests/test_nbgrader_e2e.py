"""End to end with the real nbgrader and a real Jupyter kernel.

One course, one assignment (gd_linear and a hidden handful of backprop_222 answers), five
students who fill in the released notebook the way a student would:

* alice: everything right (STUDENT_ID typed, matching);
* bob: two named mistakes in q1 (sign of grad_1, the 1/2 of E_1 dropped), one wrong value in q2;
* carol: one wrong value in each question and every later step done right from it;
* dave: q1's answer cell raises half way (NameError), q2 left as released (it raises);
* eve: alice's whole notebook, STUDENT_ID "alice" and all, submitted as eve.

``nbgrader generate_assignment``, ``autograde``, ``export`` and ``generate_feedback`` run
unchanged. The expected scores are worked out here from ``grader.keys.answer_key`` and the
seed formulas, never from the notebooks' own output. The pipeline runs once per module.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

from click.testing import CliRunner  # noqa: E402

from grader.assignment import parse_assignment  # noqa: E402
from grader.cli import main  # noqa: E402
from grader.grading import expectation, grade  # noqa: E402
from grader.keys import answer_key  # noqa: E402
from grader.messages import message as core_message  # noqa: E402
from grader.messages import mistake_text  # noqa: E402
from grader.nbgrader.environment import with_scripts_on_path  # noqa: E402
from grader.nbgrader.flags import find_flags  # noqa: E402
from grader.variants import generate  # noqa: E402

Q2_ANSWERS = ["o1", "E", "delta_o1", "dE_dw5", "w5_new", "delta_o1_expr"]
Q1_POINTS = {"w_2": 2}  # one override, so the assignment file's points are exercised
ASSIGNMENT = f"""
id = "hw1"
title = "Gradient descent and backpropagation"

[[questions]]
id = "q1"
family = "gd_linear"
points = {{ w_2 = {Q1_POINTS["w_2"]} }}

[[questions]]
id = "q2"
family = "backprop_222"
answers = {Q2_ANSWERS!r}
hidden = true
""".replace("'", '"')
STUDENTS = ("alice", "bob", "carol", "dave", "eve")
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


# --- the oracle: keys and points from grader.keys, scores by hand ---------------------------

def key(student: str, question: str) -> tuple[dict, dict]:
    """The answer key and the exact parameters of a student's variant."""
    a = parse_assignment(ASSIGNMENT)
    q = a.question(question)
    v = generate(q.family, [a.key(student, q)])[0]
    return answer_key(v), {k: float(x) for k, x in v.numbers.items()}


def points(question: str) -> dict[str, float]:
    """Each asked answer's points: the family's (from the key), then the file's overrides."""
    k, _ = key("anyone", question)
    if question == "q1":
        return {i: float(Q1_POINTS.get(i, e.points)) for i, e in k.items()}
    return {i: float(k[i].points) for i in Q2_ANSWERS}


def right(student: str, question: str) -> dict[str, object]:
    """The answers a student who gets everything right writes: floats, formulas and options as text."""
    k, _ = key(student, question)
    return {i: k[i].value for i in points(question)}


def with_mistakes(student: str) -> dict[str, dict[str, object]]:
    """bob: grad_1 with the wrong sign and E_1 without the 1/2; q2's dE_dw5 simply wrong."""
    q1, q2 = right(student, "q1"), right(student, "q2")
    q1["grad_1"] = -q1["grad_1"]
    q1["E_1"] = 2 * q1["E_1"]
    q2["dE_dw5"] = 12.5
    return {"q1": q1, "q2": q2}


def carried_forward(student: str) -> dict[str, dict[str, object]]:
    """carol: w_1 off by 0.5 and o1 off by 0.05, every later answer computed from them (seed formulas)."""
    q1, q2 = right(student, "q1"), right(student, "q2")
    k1, p1 = key(student, "q1")
    w1 = k1["w_1"].value + 0.5
    pred2 = w1 * p1["x"]
    grad2 = p1["x"] * (pred2 - p1["t"])  # dE/dw = x (w x - t)
    q1.update(w_1=w1, pred_2=pred2, E_2=0.5 * (pred2 - p1["t"]) ** 2, grad_2=grad2, w_2=w1 - p1["eta"] * grad2)
    k2, p2 = key(student, "q2")
    o1 = k2["o1"].value + 0.05
    delta = (o1 - p2["t1"]) * o1 * (1 - o1)
    q2.update(o1=o1, E=0.5 * ((o1 - p2["t1"]) ** 2 + (k2["o2"].value - p2["t2"]) ** 2), delta_o1=delta,
              dE_dw5=delta * k2["h1"].value, w5_new=p2["w5"] - p2["eta"] * delta * k2["h1"].value)
    return {"q1": q1, "q2": q2}


def expected_scores() -> dict[str, dict[str, float]]:
    """Each student's points per question, reasoned from the answers they wrote."""
    p1, p2 = points("q1"), points("q2")
    full1, full2 = sum(p1.values()), sum(p2.values())
    return {
        "alice": {"q1": full1, "q2": full2},
        "bob": {"q1": full1 - p1["grad_1"] - p1["E_1"], "q2": full2 - p2["dE_dw5"]},
        "carol": {"q1": full1 - p1["w_1"], "q2": full2 - p2["o1"]},
        "dave": {"q1": p1["dE_dw_expr"] + p1["pred_1"] + p1["E_1"], "q2": 0.0},
        # eve is graded on her own variant: what the grading core gives alice's answers there.
        "eve": {q: _core_score("eve", q, right("alice", q)) for q in ("q1", "q2")},
    }


def _core_score(student: str, question: str, answers: dict) -> float:
    a = parse_assignment(ASSIGNMENT)
    q = a.question(question)
    v = generate(q.family, [a.key(student, q)])[0]
    return grade(expectation(v), answers, q.settings).score


# --- filling in the released notebook like a student ----------------------------------------

def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def fill(nb, question: str, answers: dict, *, extra: str = "", keep_stub: bool = False) -> None:
    """Replace the template's ``...`` with the answers; delete nbgrader's stub unless told not to."""
    cell = next(c for c in nb.cells if grade_id(c) == f"{question}_answers")
    lines = []
    for line in cell.source.split("\n"):
        match = re.match(rf"{question}\.(\w+) = \.\.\.", line)
        if match and match.group(1) in answers:
            line = f"{question}.{match.group(1)} = {answers[match.group(1)]!r}"
        if line in STUB and not keep_stub:
            continue
        lines.append(line)
    if extra:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{question}.grad_1"))
        lines.insert(at, extra)
    cell.source = "\n".join(lines)


def set_student_id(nb, student: str) -> None:
    cell = next(c for c in nb.cells if c.get("id") == "student_id")
    cell.source = cell.source.replace('STUDENT_ID = ""', f"STUDENT_ID = {student!r}")


def submission(release: Path, student: str):
    nb = nbformat.read(release, as_version=4)
    if student in ("alice", "bob"):  # carol and dave leave STUDENT_ID empty, as on a hub
        set_student_id(nb, student)
    if student == "alice":
        fill(nb, "q1", right("alice", "q1"))
        fill(nb, "q2", right("alice", "q2"))
    elif student in ("bob", "carol"):
        answers = with_mistakes(student) if student == "bob" else carried_forward(student)
        fill(nb, "q1", answers["q1"])
        fill(nb, "q2", answers["q2"])
    elif student == "dave":
        fill(nb, "q1", right("dave", "q1"), extra="q1.grad_1 = grad_from_my_notes")  # raises before grad_1
    else:  # eve pastes alice's notebook, STUDENT_ID included
        set_student_id(nb, "alice")
        fill(nb, "q1", right("alice", "q1"))
        fill(nb, "q2", right("alice", "q2"))
    return nb


# --- the course ------------------------------------------------------------------------------

def run_nbgrader(course: Path, env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    db = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'gdbp'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(db)!r}\n"
    )
    env = with_scripts_on_path({k: v for k, v in os.environ.items()
                                if k not in ("JUPYTERHUB_USER", "NBGRADER_EXECUTION", "GRADER_DIRECTORY_STRUCTURE")})
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path_factory.mktemp("jupyter-config"))
    (course / "hw1.toml").write_text(ASSIGNMENT)
    result = CliRunner().invoke(main, ["nbgrader", "source", str(course / "hw1.toml"), "--course", str(course)])
    assert result.exit_code == 0, result.output
    run_nbgrader(course, env, "generate_assignment", "hw1")
    release = course / "release" / "hw1" / "hw1.ipynb"
    for student in STUDENTS:
        folder = course / "submitted" / student / "hw1"
        folder.mkdir(parents=True)
        nbformat.write(submission(release, student), folder / "hw1.ipynb")
    run_nbgrader(course, env, "autograde", "hw1")
    run_nbgrader(course, env, "export", "--to", str(course / "grades.csv"))
    run_nbgrader(course, env, "generate_feedback", "hw1")
    return course


def test_release_hides_the_key_and_the_hidden_tests(course):
    nb = nbformat.read(course / "release" / "hw1" / "hw1.ipynb", as_version=4)
    sources = {grade_id(c): c.source for c in nb.cells}
    assert all("hw.solution" not in s for s in sources.values())
    assert "hw.grade('q1')" in sources["q1_test"]
    assert "hw.check_format('q2')" in sources["q2_test"] and "hw.grade('q2')" not in sources["q2_test"]
    assert sources["q1_answers"].endswith("\n".join(STUB))


def test_exported_scores_are_those_of_each_students_own_key(course):
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    expected = expected_scores()
    full = sum(points("q1").values()) + sum(points("q2").values())
    assert set(rows) == set(STUDENTS)
    for student, scores in expected.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(scores.values())), student
        assert float(rows[student]["max_score"]) == full
    assert expected["eve"]["q1"] + expected["eve"]["q2"] < full  # alice's answers are wrong for eve


def test_each_test_cell_scores_its_question(course):
    from nbgrader.api import Gradebook

    db_url = re.search(r"db_url = '(.*)'", (course / "nbgrader_config.py").read_text()).group(1)
    with Gradebook(db_url) as gb:
        for student, scores in expected_scores().items():
            for question, score in scores.items():
                got = gb.find_grade(f"{question}_test", "hw1", "hw1", student)
                assert got.score == pytest.approx(score), (student, question)
                assert got.needs_manual_grade is False


def test_the_broken_cell_raised_and_was_graded_up_to_the_error(course):
    nb = nbformat.read(course / "autograded" / "dave" / "hw1" / "hw1.ipynb", as_version=4)
    outputs = {grade_id(c): c.get("outputs", []) for c in nb.cells}
    assert [o.ename for o in outputs["q1_answers"] if o.output_type == "error"] == ["NameError"]
    assert [o.ename for o in outputs["q2_answers"] if o.output_type == "error"] == ["NotImplementedError"]


def test_feedback_names_the_mistakes_and_the_carried_forward_error(course):
    bob = (course / "feedback" / "bob" / "hw1" / "hw1.html").read_text(encoding="utf-8")
    assert mistake_text("sign_flipped") in bob
    assert mistake_text("half_forgotten") in bob
    carol = (course / "feedback" / "carol" / "hw1" / "hw1.html").read_text(encoding="utf-8")
    assert core_message("carried_forward", inputs="w_1") in carol
    alice = (course / "feedback" / "alice" / "hw1" / "hw1.html").read_text(encoding="utf-8")
    assert "FLAGGED" not in alice


def test_pasted_notebook_is_graded_on_its_own_key_and_flagged(course):
    flags = find_flags(course / "autograded", "hw1")
    assert {(f.student, f.question, f.problem) for f in flags} == {("eve", "q1", "mismatch"), ("eve", "q2", "mismatch")}
    expected = expected_scores()
    for f in flags:
        assert (f.typed, f.graded_as) == ("alice", "eve")
        assert f.score == pytest.approx(expected["eve"][f.question])
        assert f.score_against_typed == pytest.approx(expected["alice"][f.question])  # alice's key: full marks
    feedback = (course / "feedback" / "eve" / "hw1" / "hw1.html").read_text(encoding="utf-8")
    assert "FLAGGED FOR THE TEACHER" in feedback
    listed = CliRunner().invoke(main, ["nbgrader", "flags", "hw1", "--course", str(course)])
    lines = listed.output.splitlines()
    assert listed.exit_code == 0 and len(lines) == 2 and all(line.startswith("eve ") for line in lines)
