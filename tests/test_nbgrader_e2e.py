"""End to end with the real nbgrader and a real Jupyter kernel.

One course whose ``directory_structure`` is not nbgrader's default
(``{nbgrader_step}/{assignment_id}/{student_id}``), one assignment with a salt (gd_linear and a
hidden handful of backprop_222 answers), students who fill in the released notebook the way a
student would:

* alice: everything right (STUDENT_ID typed, matching);
* bob: two named mistakes in q1 (sign of grad_1, pred_1's value for pred_2), one wrong value in q2;
* carol: one wrong value in each question and every later step done right from it; she also
  deletes q1's test cell (nbgrader puts it back);
* dave: q1's answer cell raises half way (NameError), q2 left as released (it raises);
* eve: alice's whole notebook, STUDENT_ID "alice" and all, submitted as eve;
* frank: wrong answers, and ``hw.grade = lambda q: MAX[q]`` in his answer cell;
* grace: wrong answers, and she replaces ``hw.identity`` (no longer autograding) and the module
  function ``grader.core.grading.grade`` (everything full marks);
* heidi: looks for her key: ``hw.solution``, the salt, and the package's own ``generate`` with
  the assignment it can see; fills in what that gives by code (flagged: not written in her notebook);
* ivan: half right, and replaces the builtins ``min`` and ``max`` (the score's clamp).

``grader nbgrader source`` (students from a roster), ``nbgrader generate_assignment``,
``autograde``, ``grader nbgrader grade``, ``nbgrader export`` and ``generate_feedback`` run as an
instructor would. The expected scores are worked out here from ``grader.core.keys.answer_key``, the
seed formulas and the grading core, never from the notebooks' own output.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

from click.testing import CliRunner  # noqa: E402

from grader.cli import main  # noqa: E402
from grader.core.grading import expectation, grade  # noqa: E402
from grader.core.keys import answer_key  # noqa: E402
from grader.core.variants import VariantKey, generate  # noqa: E402
from grader.course.assignment import parse_assignment  # noqa: E402
from grader.nbgrader.environment import with_scripts_on_path  # noqa: E402
from grader.text.messages import message as core_message  # noqa: E402
from grader.text.messages import mistake_text  # noqa: E402

SALT = "e2e-secret-4f1c"
STRUCTURE = "{nbgrader_step}/{assignment_id}/{student_id}"
Q2_ANSWERS = ["o1", "E", "delta_o1", "dE_dw5", "w5_new", "delta_o1_expr"]
Q1_POINTS = {"w_2": 2}  # one override, so the assignment file's points are exercised
ASSIGNMENT = f"""
id = "hw1"
title = "Gradient descent and backpropagation"
salt = "{SALT}"

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
STUDENTS = ("alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan")
FORGERS = ("frank", "grace")
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


# --- the oracle: keys and points from grader.core.keys, scores by hand ---------------------------

def key(student: str, question: str, salted: bool = True) -> tuple[dict, dict]:
    """The answer key and the exact parameters of a student's variant (``salted``: the real one)."""
    a = parse_assignment(ASSIGNMENT)
    q = a.question(question)
    k = a.key(student, q) if salted else VariantKey(a.id, student, q.id)
    v = generate(q.family, [k])[0]
    return answer_key(v), {name: float(x) for name, x in v.numbers.items()}


def points(question: str) -> dict[str, float]:
    """Each asked answer's points: the family's (from the key), then the file's overrides."""
    k, _ = key("anyone", question)
    if question == "q1":
        return {i: float(Q1_POINTS.get(i, e.points)) for i, e in k.items()}
    return {i: float(k[i].points) for i in Q2_ANSWERS}


def right(student: str, question: str, salted: bool = True) -> dict[str, object]:
    """The answers a student who gets everything right writes: floats, formulas and options as text."""
    k, _ = key(student, question, salted)
    return {i: k[i].value for i in points(question)}


def with_mistakes(student: str) -> dict[str, dict[str, object]]:
    """bob: grad_1 with the wrong sign and pred_1's value for pred_2; q2's dE_dw5 simply wrong.

    (Not E_1 without the 1/2: in bob's variant 2 E_1 = grad_1, which no label can tell apart.)
    """
    q1, q2 = right(student, "q1"), right(student, "q2")
    q1["grad_1"] = -q1["grad_1"]
    q1["pred_2"] = q1["pred_1"]
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


def half_right(student: str) -> dict[str, dict[str, object]]:
    """ivan: the first half of each question's answers right, the rest 0."""
    out = {}
    for q in ("q1", "q2"):
        answers = right(student, q)
        names = list(answers)
        out[q] = {n: (answers[n] if i < len(names) // 2 else 0) for i, n in enumerate(names)}
    return out


def expected_scores() -> dict[str, dict[str, float]]:
    """Each student's points per question, reasoned from the answers they wrote."""
    p1, p2 = points("q1"), points("q2")
    full1, full2 = sum(p1.values()), sum(p2.values())
    return {
        "alice": {"q1": full1, "q2": full2},
        "bob": {"q1": full1 - p1["grad_1"] - p1["pred_2"], "q2": full2 - p2["dE_dw5"]},
        "carol": {"q1": full1 - p1["w_1"], "q2": full2 - p2["o1"]},
        "dave": {"q1": p1["dE_dw_expr"] + p1["pred_1"] + p1["E_1"], "q2": 0.0},
        # eve is graded on her own variant: what the grading core gives alice's answers there.
        "eve": {q: _core_score("eve", q, right("alice", q)) for q in ("q1", "q2")},
        # the forgers recorded nothing: nothing is graded, and they are flagged.
        "frank": {"q1": 0.0, "q2": 0.0},
        "grace": {"q1": 0.0, "q2": 0.0},
        # heidi's "key" is the unsalted variant's: graded against her real one.
        "heidi": {q: _core_score("heidi", q, right("heidi", q, salted=False)) for q in ("q1", "q2")},
        "ivan": {q: sum(v for i, v in enumerate(points(q).values()) if i < len(points(q)) // 2)
                 for q in ("q1", "q2")},
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


def append(nb, question: str, code: str) -> None:
    cell = next(c for c in nb.cells if grade_id(c) == f"{question}_answers")
    cell.source += "\n" + code


def set_student_id(nb, student: str) -> None:
    cell = next(c for c in nb.cells if c.get("id") == "student_id")
    cell.source = cell.source.replace('STUDENT_ID = ""', f"STUDENT_ID = {student!r}")


FORGE_GRADE = "MAX = {MAXIMA!r}\nhw.grade = lambda q: MAX[q]"
FORGE_IDENTITY = """
import dataclasses, grader.core.grading, grader.nbgrader.runtime
hw.identity = dataclasses.replace(hw.identity, autograde=False, student="grace")
_real = grader.core.grading.grade
def _full(expected, raw, settings, lang="en"):
    result = _real(expected, raw, settings, lang)
    full = tuple(dataclasses.replace(a, score=a.max, status="correct") for a in result.answers)
    return dataclasses.replace(result, answers=full)
grader.core.grading.grade = grader.nbgrader.runtime.grade = _full
"""
READ_KEY = """
from grader.core.variants import generate as _generate
from grader.core.keys import answer_key as _answer_key
_found = {}
for _try in (lambda: hw.solution("QID"), lambda: {"salt": hw.assignment.salt}):
    try:
        _found.update(_try())
    except Exception:
        pass
_q = hw.question("QID")
_k = _answer_key(_generate(_q.family, [hw.assignment.key("heidi", _q)])[0])
QID.fill({a: _k[a].value for a in QID._ids})
"""
BUILTINS = "import builtins\nbuiltins.min = lambda *a, **k: 100\nbuiltins.max = lambda *a, **k: 100"


def submission(release: Path, student: str):
    nb = nbformat.read(release, as_version=4)
    if student in ("alice", "bob", "frank", "heidi"):  # the others leave STUDENT_ID empty, as on a hub
        set_student_id(nb, student)
    if student == "alice":
        fill(nb, "q1", right("alice", "q1"))
        fill(nb, "q2", right("alice", "q2"))
    elif student in ("bob", "carol", "ivan"):
        answers = {"bob": with_mistakes, "carol": carried_forward, "ivan": half_right}[student](student)
        fill(nb, "q1", answers["q1"])
        fill(nb, "q2", answers["q2"])
        if student == "carol":
            nb.cells = [c for c in nb.cells if grade_id(c) != "q1_test"]
        if student == "ivan":
            append(nb, "q1", BUILTINS)
    elif student == "dave":
        fill(nb, "q1", right("dave", "q1"), extra="q1.grad_1 = grad_from_my_notes")  # raises before grad_1
    elif student == "eve":  # alice's notebook, STUDENT_ID included
        set_student_id(nb, "alice")
        fill(nb, "q1", right("alice", "q1"))
        fill(nb, "q2", right("alice", "q2"))
    elif student in FORGERS:
        fill(nb, "q1", {"pred_1": 1e6})
        fill(nb, "q2", {"o1": 7})
        maxima = {q: sum(points(q).values()) for q in ("q1", "q2")}
        append(nb, "q1", FORGE_GRADE.replace("{MAXIMA!r}", repr(maxima)) if student == "frank" else FORGE_IDENTITY)
    else:  # heidi
        fill(nb, "q1", {})
        fill(nb, "q2", {})
        for q in ("q1", "q2"):
            append(nb, q, READ_KEY.replace("QID", q))
    return nb


# --- the course ------------------------------------------------------------------------------

def run_nbgrader(course: Path, env: dict, *args: str, check: bool = True) -> str:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    if check:
        assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def student_path(course: Path, step: str, student: str) -> Path:
    return course / STRUCTURE.format(nbgrader_step=step, assignment_id="hw1", student_id=student) / "hw1.ipynb"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    env = with_scripts_on_path({k: v for k, v in os.environ.items()
                                if k not in ("JUPYTERHUB_USER", "NBGRADER_EXECUTION", "GRADER_DIRECTORY_STRUCTURE")})
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path_factory.mktemp("jupyter-config"))
    return env


@pytest.fixture(scope="module")
def course(tmp_path_factory, env) -> Path:
    course = tmp_path_factory.mktemp("course")
    db = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'gdbp'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(db)!r}\n"
        f"c.CourseDirectory.directory_structure = {STRUCTURE!r}\n"
    )
    (course / "hw1.toml").write_text(ASSIGNMENT)
    (course / "roster.csv").write_text("id\n" + "\n".join(STUDENTS) + "\n")
    result = CliRunner().invoke(main, ["nbgrader", "source", str(course / "hw1.toml"), "--course", str(course),
                                       "--roster", str(course / "roster.csv")])
    assert result.exit_code == 0, result.output
    run_nbgrader(course, env, "generate_assignment", "hw1")
    release = course / "release" / "hw1" / "hw1.ipynb"
    for student in STUDENTS:
        path = student_path(course, "submitted", student)
        path.parent.mkdir(parents=True)
        nbformat.write(submission(release, student), path)
    run_nbgrader(course, env, "autograde", "hw1")
    graded = CliRunner().invoke(main, ["nbgrader", "grade", str(course / "hw1.toml"), "--course", str(course)])
    assert graded.exit_code == 0, graded.output
    run_nbgrader(course, env, "export", "--to", str(course / "grades.csv"))
    run_nbgrader(course, env, "generate_feedback", "hw1")
    return course


def exported(course: Path) -> dict[str, dict]:
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def feedback(course: Path, student: str) -> str:
    return (course / STRUCTURE.format(nbgrader_step="feedback", assignment_id="hw1", student_id=student)
            / "hw1.html").read_text(encoding="utf-8")


def test_release_holds_no_salt_no_key_and_no_hidden_test(course):
    text = (course / "release" / "hw1" / "hw1.ipynb").read_text(encoding="utf-8")
    assert SALT not in text and "salt" not in text
    assert "hw.solution" not in text and "hw.grade('q2')" not in text
    for student in STUDENTS:
        for question in ("q1", "q2"):
            k, _ = key(student, question)
            for answer in points(question):
                value = k[answer].value
                if isinstance(value, float) and len(repr(value).strip("-0.")) >= 6:  # not a short parameter
                    assert repr(value) not in text and f"{value:.6g}" not in text, (student, answer)
                elif isinstance(value, str) and answer.endswith("_expr"):
                    assert value not in text, (student, answer)
    nb = nbformat.read(course / "release" / "hw1" / "hw1.ipynb", as_version=4)
    sources = {grade_id(c): c.source for c in nb.cells}
    assert sources["q1_answers"].endswith("\n".join(STUB))
    assert "hw.check_format('q2')" in sources["q2_test"]


def test_exported_scores_are_those_of_each_students_own_answers(course):
    rows = exported(course)
    expected = expected_scores()
    full = sum(points("q1").values()) + sum(points("q2").values())
    assert set(rows) == set(STUDENTS)
    for student, scores in expected.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(scores.values())), student
        assert float(rows[student]["max_score"]) == full
    assert expected["eve"]["q1"] + expected["eve"]["q2"] < full  # alice's answers are wrong for eve
    assert expected["heidi"]["q1"] + expected["heidi"]["q2"] < full  # the unsalted "key" is not hers


def test_each_test_cell_scores_its_question(course):
    from nbgrader.api import Gradebook

    db_url = re.search(r"db_url = '(.*)'", (course / "nbgrader_config.py").read_text()).group(1)
    with Gradebook(db_url) as gb:
        for student, scores in expected_scores().items():
            for question, score in scores.items():
                got = gb.find_grade(f"{question}_test", "hw1", "hw1", student)
                assert got.score == pytest.approx(score), (student, question)


def test_the_forgers_scored_in_their_kernel_and_it_did_not_count(course):
    for student in FORGERS:
        nb = nbformat.read(student_path(course, "autograded", student), as_version=4)
        test = next(c for c in nb.cells if grade_id(c) == "q1_test")
        shown = [o for o in test.outputs if o.output_type == "execute_result"]
        assert shown and float(shown[0].data["text/plain"]) == sum(points("q1").values()), student
    rows = exported(course)
    assert all(float(rows[s]["score"]) == 0 for s in FORGERS)


def test_a_deleted_test_cell_is_put_back_and_graded(course):
    nb = nbformat.read(student_path(course, "autograded", "carol"), as_version=4)
    assert [grade_id(c) for c in nb.cells].count("q1_test") == 1


def test_the_broken_cell_raised_and_was_graded_up_to_the_error(course):
    nb = nbformat.read(student_path(course, "autograded", "dave"), as_version=4)
    outputs = {grade_id(c): c.get("outputs", []) for c in nb.cells}
    assert [o.ename for o in outputs["q1_answers"] if o.output_type == "error"] == ["NameError"]
    assert [o.ename for o in outputs["q2_answers"] if o.output_type == "error"] == ["NotImplementedError"]


def test_feedback_names_the_mistakes_and_shows_the_worked_solution_in_mathml(course):
    bob = feedback(course, "bob")
    assert mistake_text("sign_flipped") in bob
    assert mistake_text("off_by_one", other="pred_1") in bob
    assert "<math" in bob and "FLAGGED" not in bob
    _, params = key("bob", "q1")
    assert f"<mn>{params['x']:g}</mn>" in bob  # the worked solution uses bob's own x
    carol = feedback(course, "carol")
    assert core_message("carried_forward", inputs="w_1") in carol


def test_every_flag_is_in_nbgraders_export_and_feedback(course):
    rows = exported(course)
    flagged = {s for s, row in rows.items() if row["flagged"] == "True"}
    assert flagged == {"eve", "frank", "grace", "heidi"}
    assert "alice" in rows["eve"]["flags"] and "eve" in rows["eve"]["flags"]
    assert "match the variant of 'alice'" in rows["eve"]["flags"]  # alice's answers: copied, carry nothing
    for student in FORGERS:
        assert rows[student]["flags"].count("no answers to question") == 2, rows[student]["flags"]
    expected = expected_scores()
    assert f"{expected['alice']['q1']:g}/{expected['alice']['q1']:g}" in rows["eve"]["flags"]  # alice's key
    assert "FLAGGED FOR THE TEACHER" in feedback(course, "eve")
    listed = CliRunner().invoke(main, ["nbgrader", "flags", "hw1", "--course", str(course), "--json"])
    assert listed.exit_code == 0, listed.output
    assert {f["student"] for f in json.loads(listed.output)} == {"eve", "frank", "grace", "heidi"}
    assert rows["heidi"]["flags"].count("computed while nbgrader ran the notebook") == 2


def test_validate_says_what_to_do_and_which_questions_are_not_done(course, env, tmp_path):
    release = course / "release" / "hw1" / "hw1.ipynb"
    nobody = nbformat.read(release, as_version=4)
    nbformat.write(nobody, tmp_path / "nobody.ipynb")
    said = run_nbgrader(course, env, "validate", str(tmp_path / "nobody.ipynb"), check=False)
    assert "set STUDENT_ID in the cell above" in said
    bob = nbformat.read(release, as_version=4)
    set_student_id(bob, "bob")
    fill(bob, "q1", with_mistakes("bob")["q1"])
    fill(bob, "q2", right("bob", "q2"))
    nbformat.write(bob, tmp_path / "bob.ipynb")
    said = run_nbgrader(course, env, "validate", str(tmp_path / "bob.ipynb"), check=False)
    failed = re.findall(r"The following cell failed:\s+# ([^\n]*)", said)
    assert len(failed) == 1 and "question q1" in failed[0], said
    stranger = nbformat.read(release, as_version=4)
    set_student_id(stranger, "mallory")
    nbformat.write(stranger, tmp_path / "stranger.ipynb")
    said = run_nbgrader(course, env, "validate", str(tmp_path / "stranger.ipynb"), check=False)
    assert "'mallory' is not on this course's student list" in said
