"""The hostile class (tests/hostile_corpus.py) graded student by student: the worst time per student.

Each roster student is graded as ``grader grade`` grades them (:func:`grader.course.student_grading.grade_one`,
with its time budget, then the report), and timed alone, in wall-clock and CPU time; the
slowest students are printed with their status, then the class total. A number far above the
others points at an input the guards let through.

    python benchmarks/bench_hostile.py [--top 15] [--student-time-limit 120] [--out out/bench-hostile]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.hostile_corpus builds the class

from grader.course.class_run import class_expectations  # noqa: E402
from grader.course.files import staged  # noqa: E402
from grader.course.grade import write_outputs, write_report  # noqa: E402
from grader.course.inputs import load_assignment, read_class_roster  # noqa: E402
from grader.course.intake import intake, read_incoming  # noqa: E402
from grader.course.student_grading import STUDENT_SECONDS, grade_one  # noqa: E402
from grader.text.terminal import terminal_text  # noqa: E402
from tests.hostile_corpus import build  # noqa: E402


def main() -> None:
    """Build the hostile class, grade it one student at a time, print the slowest students."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--student-time-limit", type=float, default=STUDENT_SECONDS)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-hostile")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    corpus = build(args.out / "class", args.out / "canary")
    print(f"{corpus.sheets} hostile sheets, {corpus.roster_rows} hostile roster rows, {corpus.code_files} code files, "
          f"{corpus.other_entries} other entries; {len(corpus.students)} roster students")

    start = time.perf_counter()
    assignment, _ = load_assignment(corpus.assignment)
    students, _ = read_class_roster(corpus.roster)
    submitted, strays = intake(assignment, students, read_incoming(corpus.submissions))
    prepared = class_expectations(assignment, [s.student.id for s in submitted])
    setup = time.perf_counter() - start

    times, rows = [], []
    with staged(args.out / "graded") as staging:
        for i, submission in enumerate(submitted):
            expected = {q: column[i] for q, column in prepared.items()}
            wall, cpu = time.perf_counter(), time.process_time()
            row = grade_one(assignment, submission, expected, corpus.submissions, assignment.lang,
                            args.student_time_limit)
            write_report(assignment, row, expected, staging, assignment.lang)
            times.append((time.perf_counter() - wall, time.process_time() - cpu, row))
            rows.append(row)
    write_outputs(assignment, rows, strays, args.out / "graded", assignment.lang)
    total = time.perf_counter() - start

    print(f"\nslowest {args.top} students (wall s, CPU s of this process; code runs in a child):")
    for wall, cpu, row in sorted(times, key=lambda t: -t[0])[: args.top]:
        print(f"  {wall:8.3f} {cpu:8.3f}  {terminal_text(repr(row.student.id))[:40]:<40} {row.status}")
    worst = max(times, key=lambda t: t[0])
    print(f"\nworst time per student: {worst[0]:.3f} s ({terminal_text(repr(worst[2].student.id))[:40]})")
    median = sorted(t[0] for t in times)[len(times) // 2]
    print(f"median {median:.4f} s; setup {setup:.2f} s; whole class {total:.2f} s; "
          f"canary files: {len(list((args.out / 'canary').iterdir()))}")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
