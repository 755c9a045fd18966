"""Declared families: time to load and derive a declaration, and to generate 10,000 variants.

For each bundled declaration (or the files given): parse and validate the TOML, build the
Family, derive it under the correct rules and under the five rule mistakes (what grading a
class needs), then generate variants for 10,000 students with the generic conditioning rules
(including that every named mistake lies outside the tolerance) and compute their keys in numpy.
Times are CPU seconds (time.process_time): the machines this runs on are shared. Derivations are
cached per family name, so run it as a script, not twice in one interpreter.

    python benchmarks/bench_declared.py [--students 10000] [FILE.toml ...]
"""

from __future__ import annotations

import argparse
import time
from importlib import resources
from pathlib import Path

from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.mistakes import RULE_MISTAKES
from grader.core.variants import VariantKey, generate
from grader.declared import parse
from grader.declared.build import family as build_family


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()
    folder = resources.files("grader.declared") / "families"
    sources = [(str(f), f.read_text(encoding="utf-8")) for f in args.files] or [
        (f.name, f.read_text(encoding="utf-8")) for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".toml")]
    print(f"{'declaration':<22}{'load':>9}{'derive':>9}{'+5 rules':>10}{'variants':>11}{'keys':>8}")
    for name, text in sources:
        start = time.process_time()
        family = build_family(parse(text, name))
        loaded = time.process_time()
        family.derivation()
        derived = time.process_time()
        for _, rules in (*RULE_MISTAKES, *family.rule_mistakes):
            family.derivation(rules)
        mistaken = time.process_time()
        keys = [VariantKey("bench", f"s{i:05d}") for i in range(args.students)]
        variants = generate(family, keys)
        generated = time.process_time()
        batch_quantities(family.derivation(), as_arrays([v.numbers for v in variants], family.params))
        done = time.process_time()
        print(f"{name:<22}{loaded - start:>8.3f}s{derived - loaded:>8.3f}s{mistaken - derived:>9.3f}s"
              f"{generated - mistaken:>10.2f}s{done - generated:>7.2f}s")


if __name__ == "__main__":
    from page import markdown_page  # benchmarks/page.py: --markdown

    with markdown_page(__doc__):
        main()
