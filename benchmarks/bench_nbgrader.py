"""What this package adds to grading an nbgrader assignment, per notebook.

Four assignments of the same questions (gd_linear, and six backprop_222 answers) in one course:

* ``plain``: what a teacher writes without this package: one fixed variant, answers as
  Python variables, nbgrader test cells with ``assert`` (numbers within 1 %, text equal);
* ``nochecks``: this package's notebook with its test cells removed (the identity cell,
  the statements with the student's numbers, the answer cells);
* ``full``: this package's notebook as ``grader nbgrader source`` writes it, every answer right;
* ``wrong``: the same, every numeric answer 10 % off and every formula wrong.

Each is autograded by ``nbgrader autograde`` (a real kernel per notebook), alternately,
``--repeat`` times; then ``full`` and ``wrong`` are graded by ``grader nbgrader grade``
(in this process: the re-grading of the recorded answers and the writes into the gradebook).
The median wall time divided by the number of students is the time per notebook.

    python benchmarks/bench_nbgrader.py [--students 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.core.keys import answer_key
from grader.core.variants import canonical, generate
from grader.course.assignment import parse_assignment
from grader.nbgrader.course import grade_assignment
from grader.nbgrader.environment import with_scripts_on_path
from grader.nbgrader.notebook import KERNELSPEC, source_notebook

QUESTIONS = """
[[questions]]
id = "q1"
family = "gd_linear"

[[questions]]
id = "q2"
family = "backprop_222"
answers = ["o1", "E", "delta_o1", "dE_dw5", "w5_new", "delta_o1_expr"]
"""


def assignment_text(assignment_id: str) -> str:
    return f'id = "{assignment_id}"\ntitle = "Benchmark"\nsalt = "bench-salt-1"\n{QUESTIONS}'


def meta(cell, grade_id: str, *, solution: bool = False, points: float | None = None):
    cell.metadata["nbgrader"] = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
                                 "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        cell.metadata["nbgrader"]["points"] = points
    return cell


def plain_notebook(assignment_id: str):
    """The same questions the classic nbgrader way: the seed's own numbers for everyone, asserts."""
    a = parse_assignment(assignment_text(assignment_id))
    cells = [meta(new_markdown_cell("# Benchmark"), "header")]
    for q in a.questions:
        v = canonical(q.family)
        key = answer_key(v)
        ids = [x.id for x in q.family.answers if q.settings.asks(x)]
        cells.append(meta(new_markdown_cell(q.family.statement(v.params, "en")), f"{q.id}_statement"))
        answers = "\n".join(f"{q.id}_{i} = {key[i].value!r}" for i in ids)
        cells.append(meta(new_code_cell(f"### BEGIN SOLUTION\n{answers}\n### END SOLUTION"), f"{q.id}_answers",
                          solution=True))
        tests = []
        for i in ids:
            if key[i].kind == "numeric":
                tests.append(f"assert abs({q.id}_{i} - {key[i].value!r}) <= 0.01 * abs({key[i].value!r})")
            else:
                tests.append(f"assert str({q.id}_{i}).replace(' ', '') == {str(key[i].value).replace(' ', '')!r}")
        points = sum(key[i].points for i in ids)
        cells.append(meta(new_code_cell("\n".join(tests)), f"{q.id}_test", points=points))
    return new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})


def package_notebook(assignment_id: str, checks: bool, students: list[str]):
    nb = source_notebook(assignment_text(assignment_id), students)
    if not checks:
        nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


def student_copy(release: Path, student: str, assignment_id: str):
    """A student's submission: everything right (the package's notebooks get their own key), or all wrong."""
    nb = nbformat.read(release, as_version=4)
    a = parse_assignment(assignment_text(assignment_id))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if not grade_id.endswith("_answers"):
            continue
        q = a.question(grade_id.removesuffix("_answers"))
        ids = [x.id for x in q.family.answers if q.settings.asks(x)]
        if assignment_id == "plain":
            key = answer_key(canonical(q.family))
            cell.source = "\n".join(f"{q.id}_{i} = {key[i].value!r}" for i in ids)
        else:
            key = answer_key(generate(q.family, [a.key(student, q)])[0])
            values = {i: key[i].value for i in ids}
            if assignment_id == "wrong":
                values = {i: v * 1.1 if isinstance(v, float) else "x" for i, v in values.items()}
            lines = [line for line in cell.source.split("\n") if not line.startswith(f"{q.id}.")
                     and line not in ("# YOUR CODE HERE", "raise NotImplementedError()")]
            cell.source = "\n".join(lines + [f"{q.id}.{i} = {v!r}" for i, v in values.items()])
    return nb


def nbgrader(course: Path, env: dict, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def regrade(course: Path, assignment_id: str) -> float:
    """Seconds for ``grader nbgrader grade``'s work on one assignment (re-grading and gradebook writes)."""
    start = time.perf_counter()
    grade_assignment(parse_assignment(assignment_text(assignment_id)), course)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    students = [f"student{i:03d}" for i in range(args.students)]
    kinds = {"plain": plain_notebook("plain"), "nochecks": package_notebook("nochecks", False, students),
             "full": package_notebook("full", True, students), "wrong": package_notebook("wrong", True, students)}
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        env = with_scripts_on_path({k: v for k, v in os.environ.items()
                                    if k not in ("JUPYTERHUB_USER", "NBGRADER_EXECUTION")})
        env["JUPYTER_CONFIG_DIR"] = str(Path(tmp) / "jupyter-config")
        course.mkdir()
        (course / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = 'bench'\nc.CourseDirectory.root = {str(course)!r}\n"
            f"c.CourseDirectory.db_url = {'sqlite:///' + str(Path(tmp) / 'gradebook.db')!r}\n")
        for name, nb in kinds.items():
            (course / "source" / name).mkdir(parents=True)
            nbformat.write(nb, course / "source" / name / f"{name}.ipynb")
            nbgrader(course, env, "generate_assignment", name)
            for student in students:
                folder = course / "submitted" / student / name
                folder.mkdir(parents=True)
                release = course / "release" / name / f"{name}.ipynb"
                nbformat.write(student_copy(release, student, name), folder / f"{name}.ipynb")
        times: dict[str, list[float]] = {name: [] for name in kinds}
        graded: dict[str, list[float]] = {"full": [], "wrong": []}
        for _ in range(args.repeat):
            for name in kinds:
                times[name].append(nbgrader(course, env, "autograde", name, "--force") / args.students)
            for name in graded:
                graded[name].append(regrade(course, name) / args.students)
    per = {name: statistics.median(t) for name, t in times.items()}
    print(f"{args.students} notebooks, median of {args.repeat} runs, seconds per notebook:")
    for name, seconds in per.items():
        print(f"  autograde {name:<9} {seconds:6.3f}   (runs: {', '.join(f'{t:.3f}' for t in times[name])})")
    for name, runs in graded.items():
        print(f"  grade     {name:<9} {statistics.median(runs):6.3f}   (runs: {', '.join(f'{t:.3f}' for t in runs)})")
    full = per["full"] + statistics.median(graded["full"])
    wrong = per["wrong"] + statistics.median(graded["wrong"])
    print(f"check cells:   full autograde/nochecks = {per['full'] / per['nochecks']:.3f}")
    print(f"whole package: (autograde + grade)/plain = {full / per['plain']:.3f} all right, "
          f"{wrong / per['plain']:.3f} all wrong")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
