"""A class of 10,000 students: generate their sheets, fill in a realistic mix, grade them all.

Phases, each timed: ``grader generate`` (problem sheets, answer sheets, instructor key),
writing the synthetic submissions from the instructor key, and ``grader grade`` (reading
the submissions, grading with reports, summary and gradebook). The row of issue 18
(generate + grade, target < 20 s for 10,000 students) is printed with a baseline measured
in the same run: the same grading with the reports left out (``--no-baseline`` skips it),
so the difference is what the reports cost. The mix: most sheets right
or nearly right (values rounded as students round them), some with wrong values or a
forgotten 1/2, some partly blank, some with broken lines, and a few missing, empty,
binary, duplicated or from students not on the roster.

    python benchmarks/bench_class.py [--students 10000] [--jobs 2] [--out out/bench] [--no-baseline]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import time
from collections import defaultdict
from pathlib import Path

from grader.course import grade
from grader.course.generate import generate_class
from grader.course.grade import grade_class

ASSIGNMENT = Path(__file__).resolve().parent.parent / "examples" / "hw1.toml"
TARGET = 20.0  # seconds for generate + grade of 10,000 students (issue 18)
MIX = (  # (share, kind)
    (0.50, "right"), (0.12, "rounded"), (0.10, "wrong"), (0.06, "half_forgotten"), (0.07, "partial"),
    (0.05, "broken_lines"), (0.03, "missing"), (0.02, "empty"), (0.02, "other_file"), (0.01, "binary"),
    (0.01, "duplicate"), (0.01, "unknown_student"),
)


def roster(path: Path, students: int) -> list[str]:
    ids = [f"u{i:05d}" for i in range(students)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows((s, f"Student {s}") for s in ids)
    return ids


def read_key(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    key: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key[row["student_id"]].append((f"{row['question']}.{row['answer']}", row["kind"], row["value"]))
    return key


def sheet(student: str, answers: list[tuple[str, str]], extra: str = "") -> str:
    return f"student: {student}\nassignment: hw1\n" + "".join(f"{k} = {v}\n" for k, v in answers) + extra


def answers_for(kind: str, key: list[tuple[str, str, str]], rng: random.Random) -> list[tuple[str, str]]:
    out = []
    for answer_id, answer_kind, value in key:
        if answer_kind != "numeric":
            out.append((answer_id, value))
            continue
        number = float(value)
        if kind == "rounded":
            text = f"{number:.3g}"
        elif kind == "wrong" and rng.random() < 0.3:
            text = f"{number * rng.uniform(1.1, 2):.4g}"
        elif kind == "half_forgotten" and answer_id.split(".")[1] in ("E", "E_1", "E_2"):
            text = f"{2 * number:.5g}"
        elif kind == "partial" and rng.random() < 0.4:
            continue
        else:
            text = f"{number:.6g}"
        out.append((answer_id, text))
    return out


def write_submissions(folder: Path, students: list[str], key: dict, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    kinds = [k for _, k in MIX]
    weights = [w for w, _ in MIX]
    counts: dict[str, int] = defaultdict(int)
    for student in students:
        kind = rng.choices(kinds, weights)[0]
        counts[kind] += 1
        path = folder / f"{student}.txt"
        if kind == "missing":
            continue
        if kind == "empty":
            path.write_text(f"student: {student}\nassignment: hw1\n", encoding="utf-8")
        elif kind == "binary":
            path.write_bytes(os.urandom(2048))
        elif kind == "other_file":  # a neighbour's sheet handed in under this name
            other = students[(students.index(student) + 1) % len(students)]
            path.write_text(sheet(other, answers_for("right", key[other], rng)), encoding="utf-8")
        elif kind == "unknown_student":
            path.write_text(sheet(student, answers_for("right", key[student], rng)), encoding="utf-8")
            (folder / f"x{student}.txt").write_text(sheet(f"x{student}", []), encoding="utf-8")
        else:
            extra = "this line is not an answer\nq1.w_1 = 0.5.5\nq9.zz = 1\n" if kind == "broken_lines" else ""
            path.write_text(sheet(student, answers_for(kind, key[student], rng), extra), encoding="utf-8")
            if kind == "duplicate":
                (folder / f"{student}_v2.txt").write_text(sheet(student, []), encoding="utf-8")
    return counts


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the grading workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def parent_cpu_seconds() -> float:
    """CPU time of this process alone: the command's serial parts, and its own work while the workers run."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip the second grading without reports")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    students = roster(args.out / "roster.csv", args.students)
    quiet = lambda _text: None  # noqa: E731
    print(f"{args.students} students, {args.jobs} job(s), assignment {ASSIGNMENT.name}")
    phases: list[tuple[str, float]] = []

    start, cpu, parent = time.perf_counter(), cpu_seconds(), parent_cpu_seconds()
    times = generate_class(ASSIGNMENT, args.out / "roster.csv", args.out / "sheets", args.jobs, echo=quiet)
    phases += [(f"generate: {k}", v) for k, v in times.items()]
    generated = time.perf_counter() - start
    phases.append(("generate (whole command)", generated))
    cpu_generate, parent_generate = cpu_seconds() - cpu, parent_cpu_seconds() - parent

    start = time.perf_counter()
    key = read_key(args.out / "sheets" / "instructor" / "key.csv")
    counts = write_submissions(args.out / "submissions", students, key)
    phases.append(("write synthetic submissions", time.perf_counter() - start))

    start, cpu, parent = time.perf_counter(), cpu_seconds(), parent_cpu_seconds()
    times = grade_class(ASSIGNMENT, args.out / "submissions", args.out / "graded", args.out / "roster.csv",
                        args.jobs, echo=quiet)
    phases += [(f"grade: {k}", v) for k, v in times.items()]
    graded = time.perf_counter() - start
    phases.append(("grade (whole command)", graded))
    cpu_grade, parent_grade = cpu_seconds() - cpu, parent_cpu_seconds() - parent

    print("mix: " + ", ".join(f"{k} {counts[k]}" for _, k in MIX))
    width = max(len(name) for name, _ in phases)
    for name, seconds in phases:
        print(f"  {name:<{width}}  {seconds:7.2f} s")
    print(f"CPU time: generate {cpu_generate:.1f} s, grade {cpu_grade:.1f} s (all processes); "
          f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"CPU time of the parent process alone: generate {parent_generate:.1f} s, grade {parent_grade:.1f} s")
    print(f"graded {args.students} students in {graded:.1f} s ({1000 * graded / args.students:.2f} ms per student)")
    total = generated + graded
    verdict = ("met" if total < TARGET else "missed") if args.students >= 10_000 else "not judged below 10,000 students"
    print(f"row: {args.students} students, generate + grade --jobs {args.jobs}: {generated:.1f} s + {graded:.1f} s "
          f"= {total:.1f} s (target < {TARGET:g} s for 10,000 students: {verdict})")
    print(f"     CPU time of the row (all processes): {cpu_generate + cpu_grade:.1f} s")
    if args.baseline:
        cpu = cpu_seconds()
        baseline = grade_without_reports(args)
        cpu_baseline = cpu_seconds() - cpu
        print(f"baseline, same run: grade without reports {baseline:.1f} s, CPU {cpu_baseline:.1f} s; the reports cost "
              f"{graded - baseline:.1f} s wall, {cpu_grade - cpu_baseline:.1f} s CPU "
              f"({1000 * (cpu_grade - cpu_baseline) / args.students:.2f} ms CPU per student)")


def grade_without_reports(args: argparse.Namespace) -> float:
    """The same grading with no report written (the benchmark's baseline; the package always writes them)."""
    write_report = grade.write_report
    grade.write_report = lambda *_args: None
    try:
        start = time.perf_counter()
        grade_class(ASSIGNMENT, args.out / "submissions", args.out / "graded-baseline", args.out / "roster.csv",
                    args.jobs, echo=lambda _text: None)
        return time.perf_counter() - start
    finally:
        grade.write_report = write_report


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
