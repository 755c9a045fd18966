"""The pure core: derivation, variants, evaluation, keys, comparison, mistakes, grading.

Plain data in, plain data out: no files, no printing, no click."""
