"""Copy detection, second half: sheets that share many identical wrong values (issue 15).

The expected pairs and evidence are worked out here: by hand for the small tables, and for the
synthetic class from numpy (the 2-2-2 network of each student's numbers), never from the grader.
"""

from __future__ import annotations

import pytest

from grader.core.grading import classmates, expectations, grade
from grader.course.assignment import parse_assignment
from grader.course.roster import Student
from grader.course.rows import Row, shared_text
from grader.course.shared_wrong import FLAGGED_EVIDENCE, Given, common_size, flag_rows, normalised, shared_pairs
from grader.families import FAMILIES
from tests.conftest import roster_variants
from tests.test_integrity import floats, net_222

ARBITRARY = ["0.6123", "-1.0472", "3.3391", "0.02717", "12.871", "0.44108", "7.7265", "0.31416"]


def given(student: str, values: list[str], kind: str = "numeric", mistake: str | None = None) -> list[Given]:
    """One student's wrong answers a1, a2, ... of question q1."""
    return [Given(student, "q1", f"a{i}", v, kind, mistake) for i, v in enumerate(values, 1)]


def pairs(answers: list[Given], graded: int = 30, **kwargs) -> dict[tuple[str, str], float]:
    return {(p.first, p.second): p.evidence for p in shared_pairs(answers, graded, **kwargs)}


def test_four_arbitrary_wrong_numbers_flag_a_pair_and_three_do_not():
    class_ = given("ann", ARBITRARY[:4]) + given("bob", ARBITRARY[:4])
    class_ += given("cat", ARBITRARY[4:7]) + given("dan", ARBITRARY[4:7])
    assert pairs(class_) == {("ann", "bob"): 4.0}
    found = shared_pairs(class_, 30)[0]
    assert [(v.answer, v.value) for v in found.values] == [(f"a{i}", ARBITRARY[i - 1]) for i in range(1, 5)]


def test_the_same_number_to_the_digits_typed_counts_and_a_changed_digit_does_not():
    assert normalised(" 0.610 ", "numeric") == normalised(".61", "numeric") == normalised("6.1e-1", "numeric")
    assert normalised("0.611", "numeric") != normalised("0.61", "numeric")
    assert len(normalised("1e999999999", "numeric")) < 20  # a huge exponent is never written out
    assert normalised("w * (x - t)", "symbolic") == normalised("w*(x-t)", "symbolic")
    copier = ["0.61230", ".6123e1", *ARBITRARY[2:5]]  # a2 changed (0.6123e1 is not -1.0472)
    class_ = given("ann", ARBITRARY[:5]) + given("bob", ["0.6123", *copier[1:]])
    assert pairs(class_) == {("ann", "bob"): 4.0}  # a1, a3, a4, a5: still four after one digit changed


@pytest.mark.parametrize("kind, values, mistake, weight", [
    ("symbolic", ["w*x", "x*t", "w-t", "w*x*t"], None, 0.5),      # formulas are the same for every variant
    ("numeric", ["0", "0.5", "-1", "1.5e-3"], None, 0.5),          # fewer than 3 significant figures
    ("numeric", ARBITRARY[:4], "sign_flipped", 0.5),               # the same named mistake
])
def test_weak_evidence_needs_twice_as_many_shared_values(kind, values, mistake, weight):
    four = given("ann", values, kind, mistake) + given("bob", values, kind, mistake)
    assert pairs(four) == {}  # 4 × ½ = 2 < 4
    eight = [*values, *(v + ("+w" if kind == "symbolic" else "1") for v in values)]
    if kind == "numeric" and mistake is None:
        eight = [*values, "2", "0.25", "-0.5", "3"]
    class_ = given("ann", eight, kind, mistake) + given("bob", eight, kind, mistake)
    assert pairs(class_) == {("ann", "bob"): 8 * weight} and 8 * weight >= FLAGGED_EVIDENCE


def test_different_named_mistakes_are_not_weak():
    class_ = given("ann", ARBITRARY[:4], mistake="sign_flipped") + given("bob", ARBITRARY[:4])
    assert pairs(class_) == {("ann", "bob"): 4.0}


def test_students_with_the_same_numbers_share_honest_mistakes_so_their_values_weigh_half():
    class_ = given("ann", ARBITRARY[:6]) + given("bob", ARBITRARY[:6])
    same = {"q1": {"ann": (1.0, 2.0), "bob": (1.0, 2.0)}}
    differ = {"q1": {"ann": (1.0, 2.0), "bob": (1.0, 3.0)}}
    assert pairs(class_, variants=same) == {}  # 6 × ½ = 3
    assert pairs(class_, variants=differ) == {("ann", "bob"): 6.0}
    slip = [Given(s, "q1", f"a{i}", v, "numeric", carried=i > 1) for s in ("ann", "bob")
            for i, v in enumerate(ARBITRARY, 1)]  # one shared slip, then seven values carried forward from it
    assert pairs(slip, variants=same) == {}  # ½ for the slip, nothing for what follows from it
    assert pairs(slip, variants=differ) == {("ann", "bob"): 8.0}  # on other numbers, every value is evidence
    statement = {"q1": {"ann": (0.6123, -1.0472, 2.0), "bob": (0.6123, -1.0472, 3.0)}}
    assert pairs(class_, variants=statement) == {("ann", "bob"): 5.0}  # a1, a2: numbers of the statement, ½ each


def test_a_value_many_students_give_is_a_common_mistake_and_right_answers_never_count():
    assert common_size(30) == 3 and common_size(1000) == 10 and common_size(10_000) == 100
    ring = [given(s, ARBITRARY[:5]) for s in ("ann", "bob", "cat", "dan")]  # 4 > 3 in a class of 30
    assert pairs([g for r in ring for g in r]) == {}
    assert pairs([g for r in ring[:3] for g in r]) == {("ann", "bob"): 5, ("ann", "cat"): 5, ("bob", "cat"): 5}
    assert pairs([g for r in ring for g in r], graded=400) == {  # common only above 4 in a class of 400
        (a, b): 5 for a, b in [("ann", "bob"), ("ann", "cat"), ("ann", "dan"), ("bob", "cat"), ("bob", "dan"),
                               ("cat", "dan")]}


def test_the_seed_articles_worked_numbers_are_public_not_evidence():
    article = ["0.593269992", "0.596884378", "0.75136507", "0.772928465"]
    class_ = given("ann", article) + given("bob", article)
    public = {("q1", f"a{i}"): (float(v),) for i, v in enumerate(article, 1)}
    assert pairs(class_) == {("ann", "bob"): 4.0}
    assert pairs(class_, public=public) == {}


# --- a synthetic class graded for real ------------------------------------------------------------

ASSIGNMENT = 'id = "t"\ntitle = "t"\nsalt = "synthetic-class-salt-0123456789"\n' \
             '[[questions]]\nid = "q1"\nfamily = "backprop_222"\n'


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * abs(b) + 1e-6


def test_a_synthetic_class_flags_the_pair_who_handed_in_the_same_wrong_sheet_and_no_one_else():
    """40 students of backprop_222, each with their own slip at o1 (so their own wrong values);
    s3 slips at h1 instead and s8 hands in s3's sheet with one digit changed; ten students also
    write 0 for every delta and gradient (a common mistake) and three write 0.5 for E (short, weak)."""
    family = FAMILIES["backprop_222"]
    variants = roster_variants("backprop_222", 40)
    prepared = expectations(family, variants)
    ids = [f"s{i}" for i in range(40)]
    others = classmates(ids, prepared)
    sheets = {}
    for i, v in enumerate(variants):
        right = net_222(floats(v))
        sheets[i] = {k: repr(x) for k, x in net_222(floats(v), o1=right["o1"] * 0.93).items()}
        if 10 <= i < 20:
            sheets[i] |= {d: "0" for d in ("delta_o1", "delta_o2", "delta_h1", "delta_h2")}
            sheets[i] |= {k: "0" for k in right if k.startswith("dE_d")}  # 14 × ½: common, not counted
        if 20 <= i < 23:
            sheets[i]["E"] = "0.5"
    p3 = floats(variants[3])
    right3, slipped3 = net_222(p3), net_222(p3, h1=net_222(p3)["h1"] * 1.08)
    sheets[3] = {k: repr(x) for k, x in slipped3.items()}
    sheets[8] = dict(sheets[3], o2=repr(slipped3["o2"] * 1.001))  # one value changed
    # s3's values that are not s3's key (an update by its step), and that s8 kept as they were
    origin = {f"{w}_new": p3[w] for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")}
    expected = {k for k in slipped3 if k != "o2"
                and not _close(slipped3[k] - origin.get(k, 0.0), right3[k] - origin.get(k, 0.0))}
    assert len(expected) >= 8
    rows = [Row(Student(s), "graded", results=(("q1", grade(prepared[i], sheets[i], others=others)),))
            for i, s in enumerate(ids)]
    flagged = {r.student.id: r for r in flag_rows(parse_assignment(ASSIGNMENT), rows, {"q1": others}) if r.shared}
    assert set(flagged) == {"s3", "s8"}
    pair = flagged["s3"].shared[0]
    assert (pair.first, pair.second) == ("s3", "s8") and flagged["s8"].shared == (pair,)
    assert {v.answer for v in pair.values} == expected
    assert all(v.value == sheets[3][v.answer] for v in pair.values)
    assert pair.evidence == len(expected)  # every value arbitrary, variants differ, no named mistake
    flag = flagged["s8"].flags()
    assert f"{len(expected)} wrong answers identical to s3's" in flag and "q1.h1 = " + sheets[3]["h1"] in flag
    assert "s8" in shared_text(pair, "s3", "zh") and "错误答案" in shared_text(pair, "s3", "zh")


def test_grade_flags_both_sheets_in_the_gradebook_the_json_and_the_summary(tmp_path):
    """The bundled class, with s004 handing in s002's sheet: s002's wrong values (which s002's
    report shows as wrong or carried forward) are shared; s002's right ones are not evidence."""
    import csv
    import json
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from grader.cli import main

    examples = Path(__file__).resolve().parents[1] / "examples"
    shutil.copy(examples / "hw1.toml", tmp_path / "hw1.toml")
    shutil.copy(examples / "roster.csv", tmp_path / "roster.csv")
    incoming = tmp_path / "in"
    shutil.copytree(examples / "submissions", incoming)
    original = (incoming / "s002.txt").read_text(encoding="utf-8")
    (incoming / "s004.txt").write_text(original.replace("student: s002", "student: s004"), encoding="utf-8")
    out = tmp_path / "graded"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "hw1.toml"), str(incoming), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    students = {s["id"]: s for s in data["students"]}
    mine = students["s002"]["questions"]
    not_key = {f"{q}.{a}" for q in ("q1", "q2") for a, v in mine[q]["answers"].items()
               if (v["status"] == "incorrect" or v["carried_forward"]) and a != "regime"}  # a choice never counts
    assert len(not_key) >= 8
    for me, other in (("s002", "s004"), ("s004", "s002")):
        (pair,) = students[me]["shared_wrong"]
        assert pair["other"] == other
        assert {f"{v['question']}.{v['answer']}" for v in pair["answers"]} == not_key
    assert all(not s["shared_wrong"] for sid, s in students.items() if sid not in ("s002", "s004"))
    rows = {r["student_id"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert f"{len(not_key)} wrong answers identical to s004's" in rows["s002"]["reason"]
    assert "q1.w_1 = 0.3125" in rows["s004"]["reason"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| s002 | graded |" in summary and "weigh at least 4" in summary


def test_a_decimal_comma_is_the_same_number_as_a_decimal_point():
    """The number reader takes 0,61234 as 0.61234: a copier cannot hide a value behind the comma."""
    assert normalised("0,61234", "numeric") == normalised("0.61234", "numeric") == normalised(" .612340", "numeric")
    assert normalised("1,234.5", "numeric") != normalised("1.2345", "numeric")  # a comma beside a point stays text
