"""Item analysis checked by hand on a small synthetic class, and on the bundled class."""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.core.grading import AnswerResult, Result
from grader.core.keys import answer_key
from grader.core.variants import generate
from grader.course.assignment import parse_assignment
from grader.course.grade import class_keys
from grader.course.item_analysis import (
    TEXT,
    analyse,
    item_markdown,
    item_plot,
    long_rows,
    point_biserial,
    variant_features,
)
from grader.course.roster import Student
from grader.course.rows import Row

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def answer(answer_id: str, score: float, top: float, mistake: str | None = None) -> AnswerResult:
    return AnswerResult(answer_id, "correct" if score == top else "incorrect", score, top, "", mistake)


def student(sid: str, a: float, b: float, c: float, mistakes: dict | None = None) -> Row:
    mistakes = mistakes or {}
    q1 = Result((answer("a", a, 1, mistakes.get("a")), answer("b", b, 2, mistakes.get("b"))))
    q2 = Result((answer("c", c, 1),))
    return Row(Student(sid), "graded", results=(("q1", q1), ("q2", q2)), maxima=(("q1", 3.0), ("q2", 1.0)))


# A: 4 points; B: b wrong (half forgotten); C: a wrong (sign), c wrong; D: everything wrong.
CLASS = [
    student("A", 1, 2, 1),
    student("B", 1, 0, 1, {"b": "half_forgotten"}),
    student("C", 0, 2, 0, {"a": "sign_flipped"}),
    student("D", 0, 0, 0, {"a": "sign_flipped", "b": "half_forgotten"}),
    Row(Student("E"), "missing", maxima=(("q1", 3.0), ("q2", 1.0))),
]


def test_item_statistics_by_hand():
    items = {i.answer: i for i in analyse(CLASS, {}).items}
    assert [(i.question, i.answer, i.n) for i in items.values()] == [("q1", "a", 4), ("q1", "b", 4), ("q2", "c", 4)]
    assert [i.difficulty for i in items.values()] == [0.5, 0.5, 0.5]
    # a: right 1,1,0,0; rest of the score 3,1,2,0: M1 = 2, M0 = 1, SD = sqrt(5/4), sqrt(pq) = 1/2
    assert items["a"].discrimination == pytest.approx(1 / math.sqrt(5))
    # b: right 1,0,1,0; rest 2,2,0,0: M1 = M0 = 1
    assert items["b"].discrimination == pytest.approx(0.0)
    assert items["c"].discrimination == pytest.approx(1 / math.sqrt(5))
    assert items["a"].mistakes == (("sign_flipped", 2, ("C", "D")),)
    assert items["b"].mistakes == (("half_forgotten", 2, ("B", "D")),)
    assert items["c"].mistakes == ()


def test_point_biserial_is_pearsons_r_and_undefined_at_the_edges():
    generator = random.Random(7)
    for _ in range(20):
        right = [generator.random() < 0.6 for _ in range(30)]
        rest = [generator.gauss(10, 3) + 2 * r for r in right]
        if all(right) or not any(right):
            continue
        assert point_biserial(right, rest) == pytest.approx(np.corrcoef(right, rest)[0, 1])
    assert point_biserial([True, True], [1.0, 2.0]) is None
    assert point_biserial([True, False], [1.0, 1.0]) is None


def test_difficulty_by_variant_feature_by_hand():
    features = {"q1": {"A": {"eta": "0.1", "key:regime": "monotone", "x": "1"},
                       "B": {"eta": "0.1", "key:regime": "monotone", "x": "2"},
                       "C": {"eta": "0.5", "key:regime": "oscillating", "x": "3"},
                       "D": {"eta": "0.5", "key:regime": "oscillating", "x": "4"}}}
    found = {(b.feature, b.value): (b.n, dict(b.difficulty)) for b in analyse(CLASS, features).breakdowns}
    assert found[("key:regime", "monotone")] == (2, {"a": 1.0, "b": 0.5})
    assert found[("key:regime", "oscillating")] == (2, {"a": 0.0, "b": 0.5})
    assert found[("eta", "0.1")] == found[("key:regime", "monotone")]
    assert not any(f == "x" for f, _ in found)  # one student per value: not broken down


def test_long_rows_and_the_summary_section():
    rows = long_rows(CLASS)
    assert len(rows) == 4 * 3 and ("D", "q1", "b", "incorrect", 0, 2, "half_forgotten", False) in rows
    markdown = item_markdown(analyse(CLASS, {}), "items.png")
    assert "| `a` | 50 % | 0.45 | sign flipped (2: C, D) |" in markdown and "](items.png)" in markdown
    assert item_plot(analyse(CLASS, {})).startswith(b"\x89PNG")
    for key, entry in TEXT.items():
        assert set(entry) == {"en", "zh"}, key


def test_variant_features_name_the_right_option_of_each_choice():
    assignment = parse_assignment((EXAMPLES / "hw1.toml").read_text(encoding="utf-8"))
    ids = [f"s{i:03d}" for i in range(1, 12)]
    features = variant_features(assignment, ids, choice_limit=5)
    q1 = assignment.question("q1")
    for i, (sid, v) in enumerate(zip(ids, generate(q1.family, [assignment.key(s, q1) for s in ids]), strict=True)):
        if i < 5:
            assert features["q1"][sid]["key:regime"] == answer_key(v)["regime"].value
        else:
            assert "key:regime" not in features["q1"][sid]
        assert float(features["q1"][sid]["eta"]) == float(v.numbers["eta"])


def test_bundled_class_summary_has_the_item_analysis(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(EXAMPLES / "hw1.toml"), str(EXAMPLES / "submissions"),
                                       "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    book = json.loads((tmp_path / "gradebook.json").read_text(encoding="utf-8"))
    with (tmp_path / "answers_long.csv").open(encoding="utf-8") as handle:
        long = list(csv.DictReader(handle))
    expected = [(s["id"], q, a, v["status"], v["score"]) for s in book["students"] if s["score"] is not None
                for q, entry in s["questions"].items() for a, v in entry["answers"].items()]
    assert sorted((r["student"], r["question"], r["answer"], r["status"], float(r["score"])) for r in long) == \
        sorted(expected)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "## Item analysis" in summary and "| `E_1` | 80 % |" in summary
    assert "½ of the loss dropped (1: s002)" in summary
    assert "| q1 | `key:regime` | oscillating | 1 |" in summary  # the bundled class's variants (version 2)
    assert "data:image/png;base64," in (tmp_path / "summary.html").read_text(encoding="utf-8")


def test_difficulty_counts_full_points_only():
    """A carried-forward answer at half credit is 'correct' for the grader but not full points."""
    half = AnswerResult("w_2", "correct", 0.5, 1.0, "", carried_forward=True)
    full = AnswerResult("w_2", "correct", 1.0, 1.0, "")
    rows = [Row(Student(s), "graded", results=(("q1", Result((a,))),)) for s, a in (("A", half), ("B", full))]
    assert analyse(rows, {}).items[0].difficulty == 0.5


def test_variant_features_from_the_class_runs_variants_are_those_generated():
    assignment = parse_assignment((EXAMPLES / "hw1.toml").read_text(encoding="utf-8"))
    roster = [f"s{i:03d}" for i in range(1, 30)]
    _, variants = class_keys(assignment, roster)
    graded = roster[3:20:2]  # some of the roster, as a class run grades
    assert variant_features(assignment, graded, variants=variants) == variant_features(assignment, graded)
    assert set(variants) == {"q1", "q2"} and set(variants["q2"]) == set(roster)
