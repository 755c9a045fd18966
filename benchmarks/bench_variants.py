"""Variants for a class of 10,000 students of backprop_222: batch path versus per-variant sympy.

Batch path: draw and condition every student's parameters, then evaluate every answer for the
whole class with the lambdified derivation (numpy); wall time, and CPU time beside it (what the
code costs on a shared machine). Baselines, one variant at a time (timed on a
sample, extrapolated): substitute each student's numbers into every answer's derived sympy
expression; and the exact path the key uses for one variant (each step's small formula
evaluated in sympy, 50 digits).

    python benchmarks/bench_variants.py [--students 10000] [--sample 20]
"""

from __future__ import annotations

import argparse
import time

import sympy

from grader.core.evaluate import as_arrays, batch_quantities, exact_quantities
from grader.core.model import expand
from grader.core.variants import VariantKey, generate
from grader.families import FAMILIES


def per_variant_substitution(family, variants) -> None:
    """The baseline: every answer's expression in the parameters, evaluated by subs + evalf."""
    derivation = family.derivation()
    numeric = [a.id for a in family.answers if a.kind == "numeric"]
    expressions = {a: expand(sympy.Symbol(a), derivation.quantities) for a in numeric}
    for v in variants:
        values = {sympy.Symbol(k): p for k, p in v.params.items()}
        for expression in expressions.values():
            float(expression.subs(values).evalf(30))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="backprop_222")
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20, help="variants timed for the baseline")
    args = parser.parse_args()
    family = FAMILIES[args.family]

    start = time.perf_counter()
    family.derivation()
    derive = time.perf_counter() - start

    keys = [VariantKey("bench", f"student-{i}") for i in range(args.students)]
    generate(family, keys[:50])  # the mistakes' derivations, derived and compiled once
    start, cpu = time.perf_counter(), time.process_time()
    variants = generate(family, keys)
    draw, draw_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    batch_quantities(family.derivation(), as_arrays([v.numbers for v in variants], family.params))
    evaluate, evaluate_cpu = time.perf_counter() - start, time.process_time() - cpu
    batch = draw + evaluate

    start = time.perf_counter()
    per_variant_substitution(family, variants[: args.sample])
    baseline = (time.perf_counter() - start) / args.sample * args.students
    start = time.perf_counter()
    for v in variants[: args.sample]:
        exact_quantities(family.derivation(), v.params)
    stepwise = (time.perf_counter() - start) / args.sample * args.students

    print(f"family {family.name}, {args.students} students")
    print(f"  derivation (once)                       {derive:8.3f} s")
    print(f"  batch: draw + condition parameters      {draw:8.3f} s  (CPU {draw_cpu:.3f} s)")
    print(f"  batch: evaluate every answer (numpy)    {evaluate:8.3f} s  (CPU {evaluate_cpu:.3f} s)")
    print(f"  batch total                             {batch:8.3f} s  (CPU {draw_cpu + evaluate_cpu:.3f} s)")
    print(f"  per-variant sympy subs (extrapolated)   {baseline:8.3f} s  from {args.sample} variants")
    print(f"  per-variant exact, step by step (extr.) {stepwise:8.3f} s")
    print(f"  ratio sympy subs / batch total          {baseline / batch:8.1f} x")
    print(f"  ratio sympy subs / batch evaluation     {baseline / evaluate:8.1f} x")
    print(f"  ratio exact step by step / batch total  {stepwise / batch:8.1f} x")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
