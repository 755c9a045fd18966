"""How far every named mistake and neighbouring answer lies from the key, per family.

For each family: 10,000 random variants (the conditioning rules keep every guarded mistake at
least 2 % away, twice the default tolerance) and the canonical variant (the seed's numbers,
whose tolerances shrink instead). Prints the smallest relative gap found, the answer and the
mistake it belongs to, the canonical variant's tightest tolerance, and the time taken. The
assertion that no mistake is accepted lives in tests/test_mistakes.py.

    python benchmarks/bench_mistakes.py [--students 10000] [--family backprop_222]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.mistakes import numeric_mistakes, relative_gaps, tolerance_cap
from grader.core.variants import VariantKey, canonical, generate
from grader.families import FAMILIES


def nearest(family, variants) -> tuple[float, str, str, np.ndarray]:
    """(smallest gap, answer, mistake, each answer's smallest gap per variant) over a batch."""
    params = as_arrays([v.numbers for v in variants], family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    wrong = numeric_mistakes(family, params, values)
    best = (np.inf, "", "")
    for answer_id, mistakes in wrong.items():
        for mistake, value in mistakes:
            gap = relative_gaps(family, values, {answer_id: [(mistake, value)]})[answer_id]
            label = mistake.name + "".join(f" {v}" for _, v in mistake.fields[:1])
            if gap.min() < best[0]:
                best = (float(gap.min()), answer_id, label)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--family", choices=sorted(FAMILIES), action="append")
    args = parser.parse_args()
    print(f"{'family':<17} {'variants':>8} {'smallest gap':>12}  {'answer':<12} {'mistake':<40} "
          f"{'canonical':>9} {'seconds':>7}")
    for name in args.family or sorted(FAMILIES):
        family = FAMILIES[name]
        start = time.perf_counter()
        keys = [VariantKey("bench-mistakes", f"s{i}") for i in range(args.students)]
        gap, answer_id, mistake = nearest(family, generate(family, keys))
        canonical_gap, _, _ = nearest(family, [canonical(family)])
        cap = tolerance_cap(canonical_gap)
        tight = f"{cap.value:.2%}" if cap else "1%"
        print(f"{name:<17} {args.students:>8} {gap:>12.2%}  {answer_id:<12} {mistake:<40} {tight:>9} "
              f"{time.perf_counter() - start:>7.1f}")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
