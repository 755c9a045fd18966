"""Time to grade code submissions in the sandbox, per exercise and per submission.

    python benchmarks/bench_code.py [STUDENTS]

Grades the reference solution of every exercise and the bundled example submissions for
STUDENTS students (default 10), each with their own hidden variants, one after the other
(``grader grade --jobs N`` spreads students over N cores). First, the sandbox's start-up per
file, wall and CPU time of the child: a bare interpreter and one that imports numpy, a child
started on its own (a new interpreter that imports numpy and the runner) and a child forked by
the fork server (grader/code/pool.py, which has done that once), and the server's own start.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from grader.code import EXERCISES, Limits, grade_code_file, pool
from grader.code.sandbox import Call, run_calls
from grader.core.variants import VariantKey

ROOT = Path(__file__).resolve().parents[1]


def children_cpu() -> float:
    """CPU time of this process's finished children, and of the fork server's (it reaps its own)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + pool.pooled_cpu()


ONE_CALL = b"def f(x):\n    return 2 * x\n"


def server_start() -> None:
    """A new fork server, up and serving its first child."""
    pool.discard()
    run_calls(ONE_CALL, [Call("f", (2,))])


def startup(repeats: int = 10) -> None:
    """Per-file start-up of the sandbox (a child started on its own, one forked by the fork server)
    beside a bare interpreter and one importing numpy."""
    cases = (
        ("bare: python -I -B -c pass", lambda: subprocess.run([sys.executable, "-I", "-B", "-c", "pass"], check=True)),
        ("numpy: python -I -B -c 'import numpy'",
         lambda: subprocess.run([sys.executable, "-I", "-B", "-c", "import numpy"], check=True)),
        ("sandbox, started on its own", lambda: run_calls(ONE_CALL, [Call("f", (2,))], pooled=False)),
        ("sandbox, forked by the server", lambda: run_calls(ONE_CALL, [Call("f", (2,))])),
    )
    print(f"{'start-up per file':<40} {'wall ms':>8} {'child CPU ms':>13}")
    for label, run in cases:
        run()  # (the fork server started, the files cached)
        wall, cpu = time.perf_counter(), children_cpu()
        for _ in range(repeats):
            run()
        print(f"{label:<40} {1000 * (time.perf_counter() - wall) / repeats:>8.1f} "
              f"{1000 * (children_cpu() - cpu) / repeats:>13.1f}")
    wall = time.perf_counter()
    server_start()  # (its own CPU time is not a child's that this process can see)
    print(f"{'fork server start + first file':<40} {1000 * (time.perf_counter() - wall):>8.1f} {'':>13}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("students", nargs="?", type=int, default=10, help="students per file (default 10)")
    students = parser.parse_args().students
    startup()
    limits = Limits(time=2.0)
    print(f"{'exercise':<16} {'file':<40} {'s/submission':>12}")
    for exercise in EXERCISES:
        files = [ROOT / "solutions" / f"{exercise}.py"]
        if exercise == "backprop_222":
            files += sorted((ROOT / "examples" / "submissions").glob("*.py"))
        for path in files:
            start = time.perf_counter()
            for i in range(students):
                grade_code_file(path, exercise, key=VariantKey("bench", f"s{i:04d}", "code"), limits=limits)
            per = (time.perf_counter() - start) / students
            print(f"{exercise:<16} {str(path.relative_to(ROOT)):<40} {per:>12.3f}")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
