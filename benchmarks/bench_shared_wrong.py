"""Cost of finding sheets that share wrong values (:mod:`grader.course.shared_wrong`), in CPU seconds.

A synthetic class of N students on ``examples/hw1.toml``: each answer right with probability
0.6, else a wrong number of the student's own (6 significant figures) or, for one wrong answer
in five, a common wrong value (``0``) that half the class shares; ten pairs hand in the same sheet.

    python benchmarks/bench_shared_wrong.py [--students 10000]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from grader.core.grading import AnswerResult, Result
from grader.course.assignment import parse_assignment
from grader.course.overrides import answer_maxima
from grader.course.roster import Student
from grader.course.rows import Row
from grader.course.shared_wrong import flag_rows

ASSIGNMENT = Path(__file__).resolve().parent.parent / "examples" / "hw1.toml"


def synthetic_rows(assignment, count: int) -> list[Row]:
    """``count`` graded rows; rows 2k and 2k+1 (k < 10) are the same sheet."""
    generator = random.Random(1)
    rows = []
    for i in range(count):
        if i % 2 and i < 20:
            rows.append(Row(Student(f"s{i:05d}"), "graded", results=rows[-1].results))
            continue
        results = []
        for q in assignment.questions:
            answers = []
            for a, m in answer_maxima(q).items():
                if generator.random() < 0.6:
                    answers.append(AnswerResult(a, "correct", m, m, "", given="1"))
                else:
                    value = "0" if generator.random() < 0.2 else f"{generator.uniform(-3, 3):.6g}"
                    answers.append(AnswerResult(a, "incorrect", 0.0, m, "", given=value))
            results.append((q.id, Result(tuple(answers))))
        rows.append(Row(Student(f"s{i:05d}"), "graded", results=tuple(results)))
    return rows


def main() -> None:
    """Time the detection and print CPU seconds and the number of flagged students."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=10000)
    args = parser.parse_args()
    assignment = parse_assignment(ASSIGNMENT.read_text(encoding="utf-8"))
    rows = synthetic_rows(assignment, args.students)
    start = time.process_time()
    flagged = sum(bool(r.shared) for r in flag_rows(assignment, rows))
    seconds = time.process_time() - start
    print(f"shared wrong values of {args.students} students: {seconds:.2f} s CPU, {flagged} students flagged")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
