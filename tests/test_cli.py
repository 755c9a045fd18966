"""The engine's and grader's commands: list, show, check, variants (JSON shapes and refusals)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from grader.cli import main
from grader.families import FAMILIES


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_list_names_every_family():
    out = run("list")
    assert all(name in out for name in FAMILIES)
    assert set(json.loads(run("list", "--json"))) == set(FAMILIES)


def test_show_canonical_json_has_the_documented_shape_and_the_seed_numbers():
    data = json.loads(run("show", "gd_linear", "--canonical", "--json"))
    assert set(data) == {"family", "version", "params", "answers"}
    assert data["params"] == {"x": "1", "t": "1", "w0": "0", "eta": "0.5"}
    w2 = data["answers"]["w_2"]
    assert set(w2) == {"kind", "value", "exact", "points"}
    assert (w2["kind"], w2["value"], w2["exact"]) == ("numeric", 0.75, "3/4")
    assert data["answers"]["regime"]["value"] == "monotone"


def test_show_statements_in_both_languages():
    assert "Gradient descent" in run("show", "gd_linear", "--canonical")
    assert "梯度下降" in run("show", "gd_linear", "--canonical", "--lang", "zh")


def test_show_a_student_variant_is_stable():
    args = ("show", "backprop_222", "--assignment", "hw1", "--student", "s001", "--question", "q2", "--json")
    assert json.loads(run(*args)) == json.loads(run(*args))


def test_show_refuses_ambiguous_or_incomplete_choices():
    assert "either --canonical" in run("show", "gd_linear", "--canonical", "--student", "s", code=2)
    assert "either --canonical" in run("show", "gd_linear", code=2)
    assert "unknown family" in run("show", "gd_lineer", "--canonical", code=2)


def test_check_json_grades_given_answers_and_reports_the_others_missing():
    data = json.loads(run("check", "gd_linear", "--canonical", "--answer", "w_2=3/4",
                          "--answer", "w_1=-0.5", "--answer", "dE_dw_expr=x(wx-t)", "--json"))
    assert set(data) == {"score", "max", "answers"}
    assert data["answers"]["w_2"]["status"] == "correct"
    assert data["answers"]["w_1"]["mistake"] == "step_added"
    assert data["answers"]["dE_dw_expr"]["status"] == "correct"
    assert data["answers"]["E_1"]["status"] == "missing"
    assert data["score"] == 1 + 2 and data["max"] == sum(a.points for a in FAMILIES["gd_linear"].answers)


def test_check_refuses_unknown_answer_ids_and_malformed_items():
    assert "w_9 not in gd_linear" in run("check", "gd_linear", "--canonical", "--answer", "w_9=1", code=2)
    assert "is not ID=VALUE" in run("check", "gd_linear", "--canonical", "--answer", "w_2", code=2)


def test_variants_for_a_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na1,Ann\nb2,Bo\n", encoding="utf-8")
    data = json.loads(run("variants", "gd_linear", "--assignment", "hw", "--roster", str(roster), "--json"))
    assert set(data) == {"a1", "b2"} and data["a1"]["params"] != data["b2"]["params"]
    roster.write_text("id\na1\na1\n", encoding="utf-8")
    assert "already on line 2" in run("variants", "gd_linear", "--assignment", "hw", "--roster", str(roster), code=1)
