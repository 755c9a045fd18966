"""The pure core: derivation, variants, evaluation, keys, comparison, mistakes, grading.

Plain data in, plain data out: no files, no printing, no click."""

from grader.core import grading as _grading  # noqa: E402, F401  (registers the built-in answer kinds)
