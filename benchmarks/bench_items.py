"""Cost of the item analysis that ``grader grade`` adds to the class summary, in CPU seconds.

A synthetic class of N students on ``examples/hw1.toml`` (every answer of every question,
right or wrong at random), then each step of the item analysis that :func:`grader.course.grade.write_outputs` makes

    python benchmarks/bench_items.py [--students 10000]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from grader.core.grading import AnswerResult, Result
from grader.course.assignment import parse_assignment
from grader.course.item_analysis import analyse, breakdown_csv, item_plot, items_csv, long_csv, variant_features
from grader.course.overrides import answer_maxima
from grader.course.roster import Student
from grader.course.rows import Row

ASSIGNMENT = Path(__file__).resolve().parent.parent / "examples" / "hw1.toml"


def synthetic_rows(assignment, count: int) -> list[Row]:
    """``count`` graded rows with each answer right with probability 0.7."""
    generator = random.Random(1)
    rows = []
    for i in range(count):
        results = []
        for q in assignment.questions:
            maxima = answer_maxima(q)
            answers = tuple(AnswerResult(a, "correct", m, m, "") if generator.random() < 0.7
                            else AnswerResult(a, "incorrect", 0.0, m, "", "sign_flipped") for a, m in maxima.items())
            results.append((q.id, Result(answers)))
        rows.append(Row(Student(f"s{i:05d}"), "graded", results=tuple(results)))
    return rows


def main() -> None:
    """Time each step and print CPU seconds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=10000)
    args = parser.parse_args()
    assignment = parse_assignment(ASSIGNMENT.read_text(encoding="utf-8"))
    rows = synthetic_rows(assignment, args.students)
    steps = {}
    start = time.process_time()
    features = variant_features(assignment, [r.student.id for r in rows])
    steps["variant features"] = time.process_time() - start
    start = time.process_time()
    analysis = analyse(rows, features)
    steps["statistics"] = time.process_time() - start
    start = time.process_time()
    long_csv(rows), items_csv(analysis), breakdown_csv(analysis)
    steps["CSV files"] = time.process_time() - start
    start = time.process_time()
    item_plot(analysis)
    steps["plot"] = time.process_time() - start
    for name, seconds in steps.items():
        print(f"  {name:<20} {seconds:6.2f} s CPU")
    print(f"item analysis of {args.students} students: {sum(steps.values()):.2f} s CPU")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
