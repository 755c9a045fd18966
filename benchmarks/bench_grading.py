"""Grading speed: numeric answers per second, and symbolic-check latency against sympy.

On the test table of symbolic answers (tests/equivalence_cases.py) it times, case by case,
this grader's check (parse, bounded exact check, evaluation at random points) against two
sympy baselines run on the same parsed formulas expanded into the parameters:
``simplify(a - b) == 0`` and ``a.equals(b)`` (the check PrairieLearn uses). It prints median,
p99 and max latency, the ratios, and whether the verdicts agree with the table.

    python benchmarks/bench_grading.py [--submissions 2000] [--baseline-timeout 10]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
from pathlib import Path

import sympy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.core import grading  # noqa: E402
from grader.core.evaluate import as_arrays, batch_quantities  # noqa: E402
from grader.core.grading import expectation, expectations, grade  # noqa: E402
from grader.core.model import expand  # noqa: E402
from grader.core.variants import VariantKey, canonical, generate  # noqa: E402
from grader.families import FAMILIES  # noqa: E402
from grader.reading.parser import parse, to_sympy  # noqa: E402
from tests.equivalence_cases import CASES  # noqa: E402


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def numeric_rate(submissions: int) -> float:
    """Numeric answers graded per second on backprop_222 (key values, some perturbed)."""
    family = FAMILIES["backprop_222"]
    variants = generate(family, [VariantKey("bench", f"s{i}") for i in range(submissions)])
    values = batch_quantities(family.derivation(), as_arrays([v.numbers for v in variants], family.params))
    key = {a.id: values[a.id] for a in family.answers if a.kind == "numeric"}
    prepared = expectations(family, variants)
    answers = [
        {a: f"{key[a][i] * (1.03 if (i + j) % 5 == 0 else 1):.6g}" for j, a in enumerate(key)}
        for i in range(submissions)
    ]
    start = time.perf_counter()
    for expected, given in zip(prepared, answers, strict=True):
        grade(expected, given)
    elapsed = time.perf_counter() - start
    return submissions * len(key) / elapsed


def expanded(family, answer_id, text, v):
    """Both formulas of a case in the parameters alone, as a sympy-only checker needs them."""
    symbolic = family.derivation().symbolic[answer_id]
    student = to_sympy(parse(text, symbolic.symbols), {n: sympy.Symbol(n) for n in symbolic.symbols})
    fixed = symbolic.fixed(v.params)
    definitions = family.derivation().quantities
    key = expand(symbolic.expr, definitions).xreplace(fixed)
    return expand(student, definitions).xreplace(fixed), key


def timed(check, timeout: int):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    start = time.perf_counter()
    try:
        verdict = bool(check())
    except Timeout:
        verdict = None
    finally:
        signal.alarm(0)
    return verdict, time.perf_counter() - start


def summary(name: str, times: list[float], verdicts: list, truth: list[bool]) -> dict:
    ordered = sorted(times)
    agree = sum(v == t for v, t in zip(verdicts, truth, strict=True))
    return {
        "name": name, "median": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], "max": ordered[-1],
        "agree": agree, "timeouts": sum(v is None for v in verdicts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--baseline-timeout", type=int, default=10)
    args = parser.parse_args()

    rate = numeric_rate(args.submissions)
    print(f"numeric answers graded per second (backprop_222, {args.submissions} submissions): {rate:,.0f}")

    ours, simplify_, equals_ = ([], []), ([], []), ([], [])
    truth = []
    for family_name, answer_id, text, equivalent in CASES:
        family = FAMILIES[family_name]
        v = canonical(family)
        expected = expectation(v)
        grade(expected, {answer_id: text})  # warm the caches of this answer, as a class run does
        grading._VERDICTS.clear()  # but time the check itself, not its remembered verdict
        grading._parsed.cache_clear()
        start = time.perf_counter()
        status = grade(expected, {answer_id: text}).answer(answer_id).status
        ours[1].append(time.perf_counter() - start)
        ours[0].append(status == "correct")
        student, key = expanded(family, answer_id, text, v)
        for store, check in ((simplify_, lambda a=student, b=key: sympy.simplify(a - b) == 0),
                             (equals_, lambda a=student, b=key: a.equals(b))):
            verdict, seconds = timed(check, args.baseline_timeout)
            store[0].append(verdict)
            store[1].append(seconds)
        truth.append(equivalent)

    rows = [summary("this grader", ours[1], ours[0], truth),
            summary("simplify(a-b)==0", simplify_[1], simplify_[0], truth),
            summary("a.equals(b)", equals_[1], equals_[0], truth)]
    print(f"\nsymbolic checks on the test table ({len(CASES)} cases; baseline timeout "
          f"{args.baseline_timeout} s counts as no verdict)")
    print(f"  {'checker':<18} {'median':>10} {'p99':>10} {'max':>10}  agrees with table")
    for r in rows:
        print(f"  {r['name']:<18} {r['median'] * 1e3:8.2f}ms {r['p99'] * 1e3:8.2f}ms "
              f"{r['max'] * 1e3:8.1f}ms  {r['agree']}/{len(CASES)} ({r['timeouts']} timeouts)")
    base = rows[0]["median"]
    print(f"\n  median ratio simplify / this grader: {rows[1]['median'] / base:8.1f} x")
    print(f"  median ratio equals   / this grader: {rows[2]['median'] / base:8.1f} x")
    same = sum(a == b for a, b in zip(ours[0], equals_[0], strict=True))
    print(f"  identical verdicts with equals: {same}/{len(CASES)}")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
