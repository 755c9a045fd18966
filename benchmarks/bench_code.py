"""Time to grade code submissions in the sandbox, per exercise and per submission.

    python benchmarks/bench_code.py [STUDENTS]

Grades the reference solution of every exercise and the bundled example submissions for
STUDENTS students (default 10), each with their own hidden variants, one after the other
(``grader grade --jobs N`` spreads students over N cores).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from grader.code import EXERCISES, Limits, grade_code_file
from grader.core.variants import VariantKey

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("students", nargs="?", type=int, default=10, help="students per file (default 10)")
    students = parser.parse_args().students
    limits = Limits(time=2.0)
    print(f"{'exercise':<16} {'file':<34} {'s/submission':>12}")
    for exercise in EXERCISES:
        files = [ROOT / "solutions" / f"{exercise}.py"]
        if exercise == "backprop_222":
            files += sorted((ROOT / "examples" / "submissions").glob("*.py"))
        for path in files:
            start = time.perf_counter()
            for i in range(students):
                grade_code_file(path, exercise, key=VariantKey("bench", f"s{i:04d}", "code"), limits=limits)
            per = (time.perf_counter() - start) / students
            print(f"{exercise:<16} {str(path.relative_to(ROOT)):<34} {per:>12.3f}")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
