"""Speed targets: each row with its target and a baseline measured in the same run.

Issue 18's rows: variants, start-up, formula checks, numeric answers.

Rows and baselines:
- N variants of a family, draw + condition + evaluate: bulk :func:`grader.core.variants.generate`
  against the step-by-step path :func:`grader.core.variants.generate_stepwise` (the numbers are
  checked identical);
- ``grader variants FAMILY --roster R --json`` for N students (every exact key), CPU and wall time,
  against the former exact key (every quantity xreplaced and evalf'd by sympy, one variant at a
  time) timed in this process on ``--baseline-students`` of the roster and scaled to N (those
  students' keys are checked byte-identical);
- ``grader --help`` and ``grader list``, wall time, beside ``python -c pass`` and ``import sympy``;
- formula checks, class-like (every text and variant new: the memo is emptied before each),
  median and p99, against ``simplify(a - b) == 0`` and ``a.equals(b)`` on the same pairs, with
  the verdicts compared; and the same texts again (remembered verdicts);
- numeric answers graded per second, 30 % wrong: a class's sheets graded as ``grader grade``
  grades them (:func:`grader.core.batch_grading.grade_many` per chunk of students, the classmates'
  keys checked for copies), against the same chunks graded student by student with
  :func:`grader.core.grading.grade` (the verdicts compared).

Times are the minimum over ``--repeats`` (wall clock); the machine's load shows in the baselines.

    python benchmarks/bench_speed.py [--students 10000] [--cli-students 10000] [--repeats 3]
                                     [--submissions 2000] [--baseline-timeout 10]
                                     [--baseline-students 500] [--only formula ...]
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_grading import expanded, timed  # noqa: E402

from grader.core import grading  # noqa: E402
from grader.core.batch_grading import grade_many  # noqa: E402
from grader.core.evaluate import exact_choices, exact_quantities  # noqa: E402
from grader.core.grading import Settings, classmates, expectation, expectations, grade  # noqa: E402
from grader.core.keys import answer_key, batch_key  # noqa: E402
from grader.core.kinds import exact_text, formula_text  # noqa: E402
from grader.core.variants import VariantKey, canonical, generate, generate_stepwise  # noqa: E402
from grader.course.class_run import CHUNK  # noqa: E402
from grader.families import FAMILIES  # noqa: E402
from tests.equivalence_cases import CASES  # noqa: E402

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


def best(run, repeats: int) -> float:
    """The least wall time of ``repeats`` runs of ``run()``."""
    return min(_timed(run) for _ in range(repeats))[0]


def best_cpu(run, repeats: int) -> tuple[float, float]:
    """The least (wall, CPU) time of ``repeats`` runs of ``run()`` in this process (a loaded
    machine stretches the wall time; the CPU time is what the code costs)."""
    return min(_timed(run) for _ in range(repeats))


def timed_on(run, data) -> tuple[float, float]:
    """The (wall, CPU) time of ``run(data)``, ``data`` made before the clocks start."""
    return _timed(lambda: run(data))


def _timed(run) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def row(what: str, target: str, measured: str, baseline: str = "", ratio: str = "") -> None:
    print(f"| {what} | {target} | {measured} | {baseline} | {ratio} |")


def variants_rows(students: int, repeats: int) -> None:
    for name in ("backprop_222", "deep_chain", "local_minima", "gradient_meaning"):
        family = FAMILIES[name]
        keys = [VariantKey("bench", f"student-{i}") for i in range(students)]
        generate(family, keys[:50])
        generate_stepwise(family, keys[:50])  # derivations and compiled formulas warm for both
        bulk = best_cpu(lambda f=family, k=keys: batch_key(f, generate(f, k)), repeats)
        stepwise = best_cpu(lambda f=family, k=keys: batch_key(f, generate_stepwise(f, k)), 1)
        same = [v.numbers for v in generate(family, keys)] == [v.numbers for v in generate_stepwise(family, keys)]
        row(f"{students:,} variants of `{name}` (draw + condition + evaluate), CPU (wall)",
            "< 0.3 s" if name == "backprop_222" else "", f"{bulk[1]:.2f} s ({bulk[0]:.2f} s)",
            f"step by step {stepwise[1]:.2f} s ({stepwise[0]:.2f} s)",
            f"{stepwise[1] / bulk[1]:.1f}x, numbers {'identical' if same else 'DIFFER'}")


def sympy_key(v) -> dict:
    """The former exact key of one variant: sympy evaluates every quantity, one after another."""
    derivation = v.family.derivation()
    numbers = exact_quantities(derivation, v.params)
    choices = exact_choices(derivation, v.params)
    key = {}
    for a in v.family.answers:
        if a.kind == "numeric":
            key[a.id] = [float(numbers[a.id]), exact_text(numbers[a.id])]
        elif a.kind == "symbolic":
            key[a.id] = [formula_text(derivation.symbolic[a.id], v.params)] * 2
        else:
            key[a.id] = [choices[a.id]] * 2
    return key


def cli_variants_row(students: int, baseline_students: int) -> None:
    family = FAMILIES["backprop_222"]
    sample = generate(family, [VariantKey("bench", f"s{i:05d}") for i in range(baseline_students)])
    _, former = best_cpu(lambda: [sympy_key(v) for v in sample], 1)
    same = all(sympy_key(v) == {k: [e.value, e.exact] for k, e in answer_key(v).items()} for v in sample)
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.csv"
        with roster.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "name"])
            writer.writerows([f"s{i:05d}", f"Student {i}"] for i in range(students))
        command = [*GRADER, "variants", "backprop_222", "--assignment", "bench", "--roster", str(roster), "--json"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds = best(lambda: subprocess.run(command, check=True, capture_output=True), 1)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    scaled = former * students / baseline_students
    row(f"`grader variants backprop_222 --roster R --json`, {students:,} students, CPU (wall)", "< 5 s",
        f"{cpu:.1f} s ({seconds:.1f} s)",
        f"former sympy key alone {scaled:.1f} s CPU ({baseline_students:,} students scaled)",
        f"{scaled / cpu:.1f}x, keys {'identical' if same else 'DIFFER'}")


def startup_rows(repeats: int) -> None:
    def wall(command):
        return best(lambda: subprocess.run(command, check=True, capture_output=True), repeats)

    nothing = wall([sys.executable, "-c", "pass"])
    sympy_alone = wall([sys.executable, "-c", "import sympy"])
    for args in (["--help"], ["list"]):
        seconds = wall([*GRADER, *args])
        row(f"`grader {' '.join(args)}`", "< 0.15 s", f"{seconds:.3f} s",
            f"`python -c pass` {nothing:.3f} s, `import sympy` {sympy_alone:.3f} s")


def formula_rows(timeout: int) -> None:
    ours, again, simplify_, equals_, truth = [], [], ([], []), ([], []), []
    for family_name, answer_id, text, equivalent in CASES:
        family = FAMILIES[family_name]
        expected = expectation(canonical(family))
        grade(expected, {answer_id: "0"})  # the answer's derivations and compiled formulas warm
        grading._VERDICTS.clear()
        grading._parsed.cache_clear()
        start = time.perf_counter()
        status = grade(expected, {answer_id: text}).answer(answer_id).status
        ours.append((status == "correct", time.perf_counter() - start))
        start = time.perf_counter()
        grade(expected, {answer_id: text})
        again.append(time.perf_counter() - start)
        student, key = expanded(family, answer_id, text, canonical(family))
        for store, check in ((simplify_, lambda a=student, b=key: sympy.simplify(a - b) == 0),
                             (equals_, lambda a=student, b=key: a.equals(b))):
            verdict, seconds = timed(check, timeout)
            store[0].append(verdict)
            store[1].append(seconds)
        truth.append(equivalent)

    def stats(times):
        ordered = sorted(times)
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]

    median, p99 = stats([t for _, t in ours])
    row(f"formula check, median / p99, every text new ({len(CASES)} cases)", "<= 0.3 ms / <= 5 ms",
        f"{median * 1e3:.2f} ms / {p99 * 1e3:.2f} ms")
    remembered, _ = stats(again)
    row("the same texts again (remembered verdict), median", "", f"{remembered * 1e3:.3f} ms")
    verdicts = [v for v, _ in ours]
    for name, (base_verdicts, base_times) in (("simplify(a-b)==0", simplify_), ("a.equals(b)", equals_)):
        base_median, _ = stats(base_times)
        same = sum(a == b for a, b in zip(verdicts, base_verdicts, strict=True))
        row(f"formula check vs `{name}`, median ratio", ">= 10x" if "simplify" in name else "",
            f"{base_median / median:.1f}x", f"{base_median * 1e3:.2f} ms",
            f"same verdict {same}/{len(CASES)}, ours right {sum(a == t for a, t in zip(verdicts, truth, strict=True))}")


def numeric_row(submissions: int, repeats: int) -> None:
    family = FAMILIES["backprop_222"]
    ids = [f"s{i}" for i in range(submissions)]
    variants = generate(family, [VariantKey("bench", s) for s in ids])
    key = batch_key(family, variants)
    answers = [{a: f"{key[a][i] * (1.03 if (i + j) % 10 < 3 else 1):.6g}" for j, a in enumerate(key)}
               for i in range(submissions)]
    others = classmates(ids, expectations(family, variants))
    chunks = [range(start, min(start + CHUNK, submissions)) for start in range(0, submissions, CHUNK)]

    def prepared() -> list:  # each chunk's variants as `grader grade` prepares them (wrong values on first use)
        return [expectations(family, [variants[i] for i in chunk]) for chunk in chunks]

    def class_path(batches: list) -> list:  # as `grader grade` grades: a chunk's sheets at once
        return [r for chunk, batch in zip(chunks, batches, strict=True)
                for r in grade_many(batch, [answers[i] for i in chunk], Settings(), "en", others)]

    def per_student(batches: list) -> list:  # the same chunks, each student's sheet graded on its own
        return [grade(e, answers[i], Settings(), "en", others)
                for chunk, batch in zip(chunks, batches, strict=True) for e, i in zip(batch, chunk, strict=True)]

    same = class_path(prepared()) == per_student(prepared())
    wall, cpu = min(timed_on(class_path, prepared()) for _ in range(repeats))
    base_wall, base_cpu = min(timed_on(per_student, prepared()) for _ in range(repeats))
    count = submissions * len(key)
    row(f"numeric answers per second, 30 % wrong ({submissions:,} students of backprop_222, chunks of {CHUNK}, "
        "copied keys checked), CPU (wall)", ">= 200k", f"{count / cpu / 1e3:.0f}k ({count / wall / 1e3:.0f}k)",
        f"student by student {count / base_cpu / 1e3:.0f}k ({count / base_wall / 1e3:.0f}k)",
        f"{base_cpu / cpu:.1f}x, verdicts {'identical' if same else 'DIFFER'}")


ROWS = ("startup", "variants", "cli-variants", "numeric", "formula")  # in the order they run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--cli-students", type=int, default=10_000, help="roster size for `grader variants`")
    parser.add_argument("--baseline-timeout", type=int, default=10)
    parser.add_argument("--baseline-students", type=int, default=500,
                        help="students whose former sympy key is timed and scaled")
    parser.add_argument("--only", choices=ROWS, action="append",
                        help="run only these rows (repeatable); all rows when absent")
    args = parser.parse_args()
    rows = {"startup": lambda: startup_rows(args.repeats),
            "variants": lambda: variants_rows(args.students, args.repeats),
            "cli-variants": lambda: cli_variants_row(args.cli_students, args.baseline_students),
            "numeric": lambda: numeric_row(args.submissions, args.repeats),
            "formula": lambda: formula_rows(args.baseline_timeout)}
    print("| what | target | measured | baseline (same run) | ratio |\n|---|---|---|---|---|")
    for name in ROWS:
        if not args.only or name in args.only:
            rows[name]()


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
