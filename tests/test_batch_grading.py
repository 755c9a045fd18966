"""Grading a class question by question (grade_many) gives exactly what grading student by student gives.

The oracle is :func:`grader.core.grading.grade`, called once per student: an independent path
(scalar floats, one answer at a time) that the batch must reproduce verdict for verdict, score,
feedback, mistake and copied classmate included, on random classes of every family whose sheets
mix right, rounded, wrong, mistaken, carried-forward, unchanged, copied and unreadable answers.
"""

from __future__ import annotations

import contextlib
import random

import pytest

from grader.core.batch_grading import grade_many
from grader.core.compare import Tolerance
from grader.core.evaluate import local_value, update_baseline
from grader.core.grading import Settings, classmates, expectation, expectations, grade, own_values
from grader.core.kinds import kind_of
from grader.core.variants import VariantKey, canonical, generate
from grader.families import FAMILIES

EDGE_TEXTS = ("", "   ", "abc", "1/0", "inf", "nan", "1e400", "0,5", "3/4", "1.5×10^-3", "2e-3", "-0", "x", "0.5.5")
SETTINGS = {
    "default": Settings(),
    "sigfigs": Settings(tolerance=Tolerance("sigfigs", 3)),
    "absolute": Settings(tolerance=Tolerance("absolute", 0.002), carried_forward_credit=0.5,
                         mistake_credit={"sign_flipped": 0.5, "half_forgotten": 0.25}),
}


def _number_text(value: float, rng: random.Random) -> str | float:
    """A right value as a student types it: more or fewer figures, scientific notation, a float."""
    form = rng.randrange(5)
    if form == 0:
        return f"{value:.3g}"
    if form == 1:
        return f"{value:.2e}"
    if form == 2:
        return value
    return f"{value:.6g}"


def class_answers(family, prepared, rng: random.Random) -> list[dict]:
    """Each student's sheet: 30 % of the numbers wrong, rounded, a named mistake, carried forward
    from a wrong earlier value, left unchanged, blank or an edge text; a few sheets copy a classmate's key."""
    sheets = []
    for i, expected in enumerate(prepared):
        source = prepared[(i + 1) % len(prepared)] if rng.random() < 0.08 else expected  # copied
        answers: dict = {}
        given: dict[str, float] = {}
        derivation = family.derivation()
        for answer in family.answers:
            if answer.kind != "numeric":
                key = kind_of(answer).key_text(source, answer)
                answers[answer.id] = key if rng.random() < 0.8 else rng.choice(["0", "w5", "yes", "", "x*(1"])
                continue
            key = source.values[answer.id]
            roll = rng.random()
            if roll < 0.70:
                text = _number_text(key, rng)
            elif roll < 0.76:
                text = f"{key * rng.choice([1.03, 0.9, 1.2, -1, 2]):.6g}"
            elif roll < 0.84 and expected.mistakes(answer.id):
                _, wrong = rng.choice(expected.mistakes(answer.id))
                text = f"{wrong * rng.choice([1, 1.004]):.6g}"
            elif roll < 0.90:  # from the student's own (wrong) earlier values
                text = f"{local_value(derivation, answer.id, own_values(expected, given)):.6g}"
            elif roll < 0.93 and update_baseline(derivation, answer.id):
                text = f"{expected.values[update_baseline(derivation, answer.id)]:.6g}"
            elif roll < 0.97:
                text = rng.choice(EDGE_TEXTS)
            else:
                continue
            answers[answer.id] = text
            with contextlib.suppress(TypeError, ValueError):
                given[answer.id] = float(text)
        sheets.append(answers)
    return sheets


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_grade_many_equals_grading_student_by_student(name, settings):
    family = FAMILIES[name]
    rng = random.Random(f"{name}-{settings}")
    ids = [f"s{i}" for i in range(60)]
    prepared = expectations(family, generate(family, [VariantKey("batch", s) for s in ids]))
    answers = class_answers(family, prepared, rng)
    others = classmates(ids, prepared)
    one_by_one = [grade(e, a, settings, "en", others) for e, a in zip(prepared, answers, strict=True)]
    assert grade_many(prepared, answers, settings, "en", others) == one_by_one
    assert grade_many(prepared, answers, settings, "zh") == [grade(e, a, settings, "zh")
                                                             for e, a in zip(prepared, answers, strict=True)]
    statuses = {a.status for r in one_by_one for a in r.answers}
    assert {"correct", "incorrect"} <= statuses  # the class is mixed, not all right or all wrong


def test_the_mix_reaches_every_branch_of_the_numeric_judge():
    """Across the families, the random sheets are named mistakes, carried forward, unchanged,
    invalid, missing and copied: the equality above is tested where it matters."""
    seen: set[str] = set()
    for name in sorted(FAMILIES):
        family = FAMILIES[name]
        ids = [f"s{i}" for i in range(60)]
        prepared = expectations(family, generate(family, [VariantKey("batch", s) for s in ids]))
        answers = class_answers(family, prepared, random.Random(f"{name}-{Settings()}"))
        for result in grade_many(prepared, answers, Settings(), "en", classmates(ids, prepared)):
            seen |= {"copied"} if result.copied_from else set()
            for a in result.answers:
                seen.add(a.status)
                seen |= {"mistake"} if a.mistake else set()
                seen |= {"carried"} if a.carried_forward else set()
                seen |= {"unchanged"} if "before the update" in a.feedback else set()
    assert {"correct", "incorrect", "invalid", "missing", "mistake", "carried", "copied", "unchanged"} <= seen


def test_whole_sheets_copied_from_a_classmate_are_flagged_as_one_by_one():
    family = FAMILIES["backprop_222"]
    ids = [f"s{i}" for i in range(200)]
    prepared = expectations(family, generate(family, [VariantKey("copy", s) for s in ids]))
    answers = [{a.id: f"{prepared[(i * 7) % 200 if i % 3 == 0 else i].values[a.id]:.5g}"
                for a in family.answers if a.kind == "numeric"} for i in range(200)]
    others = classmates(ids, prepared)
    batch = grade_many(prepared, answers, Settings(), "en", others)
    assert batch == [grade(e, a, Settings(), "en", others) for e, a in zip(prepared, answers, strict=True)]
    assert sum(r.copied_from is not None for r in batch) > 50


def test_fixed_variants_and_mixed_batches_go_one_by_one():
    family = FAMILIES["backprop_222"]
    fixed = expectation(canonical(family))
    drawn = expectations(family, generate(family, [VariantKey("mixed", "a")]))[0]
    answers = [{"h1": "0.5", "E": "1"}, {"h1": f"{drawn.values['h1']:.4g}"}]
    assert grade_many([fixed, drawn], answers) == [grade(fixed, answers[0]), grade(drawn, answers[1])]
    assert grade_many([], []) == []


@pytest.mark.parametrize("name", ["gd_linear", "backprop_222"])
def test_classmates_sharing_keys_are_counted_as_one_by_one(name):
    """Many students with the same numbers: each value is accepted by much of the class (the
    table is filled by comparing with every classmate), and a sheet copied from another group is flagged."""
    family = FAMILIES[name]
    ids = [f"s{i}" for i in range(48)]
    prepared = expectations(family, generate(family, [VariantKey("shared", f"group{i % 4}") for i in range(48)]))
    answers = [{a.id: f"{prepared[(i + 1) % 48 if i % 5 == 0 else i].values[a.id]:.5g}"
                for a in family.answers if a.kind == "numeric"} for i in range(48)]
    others = classmates(ids, prepared)
    batch = grade_many(prepared, answers, Settings(), "en", others)
    assert batch == [grade(e, a, Settings(), "en", others) for e, a in zip(prepared, answers, strict=True)]
    copied = [r.copied_from for r in batch]
    assert copied == [f"s{(i + 1) % 4}" if i % 5 == 0 else None for i in range(48)]  # the group's first
